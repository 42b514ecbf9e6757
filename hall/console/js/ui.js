// Small DOM helpers. Text always goes in through textContent, never innerHTML, so whatever an
// enterprise typed into a demand is shown as text and cannot become markup.

/** h("div", {class: "x", onclick: fn}, "text", child, [more]) -> an element. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "class") {
      el.className = value;
    } else if (key === "style") {
      // Through the CSSOM: the console's Content-Security-Policy refuses style attributes.
      el.style.cssText = value;
    } else if (value === true) {
      el.setAttribute(key, "");
    } else {
      el.setAttribute(key, String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.appendChild(child);
    else el.appendChild(document.createTextNode(String(child)));
  }
}

const ZONE = "Asia/Shanghai"; // the hall's deadlines are dates in China, wherever the browser is

export function formatTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return d.toLocaleString("zh-CN", {
    timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hour12: false,
  });
}

export function formatPercent(rate) {
  // One decimal at most, and none when it is zero: 50%, 66.7%.
  return `${Number((rate * 100).toFixed(1))}%`;
}

let toastTimer = null;

/** A short message at the corner; errors stay until the next message. */
export function toast(message, kind = "info") {
  const el = document.getElementById("toast");
  el.textContent = message;
  el.className = `toast ${kind === "error" ? "error" : ""}`;
  el.hidden = false;
  clearTimeout(toastTimer);
  if (kind !== "error") toastTimer = setTimeout(() => { el.hidden = true; }, 3500);
}

/** Clear the corner message (a new page starts without the last page's news). */
export function hideToast() {
  clearTimeout(toastTimer);
  document.getElementById("toast").hidden = true;
}

// The hall's plain-text refusals (hall.auth, hall.desk_access), in the words a desk reads.
const REFUSALS = {
  "this part belongs to another department": "该事项属于其他部门，您无权查看或办理",
  "needs a department officer or a supervisor": "此页面供部门工作人员和主管使用",
  "needs the supervisor role": "此操作需要主管账号",
  "needs the helper role": "此页面供大厅工作人员使用",
  "needs the admin role": "此操作需要管理员账号",
};

/** Words for an API error a person can act on: the desk's own translated words when the hall
 * sent them (detail.message_zh, then the English), else a reason by status. */
export function explain(err) {
  const detail = err && err.detail;
  if (detail && typeof detail === "object" && detail.message_zh) {
    return `${detail.message_zh}（${detail.message_en}）`;
  }
  if (err && err.status === 403) {
    const known = typeof detail === "string" ? REFUSALS[detail] : null;
    return known ? `没有权限：${known}（${detail}）` : "没有权限执行此操作";
  }
  if (err && err.status === 404) return "没有找到（Not found）";
  if (err && err.status === 409) return `操作未执行：${err.message}（请刷新后再试）`;
  if (err && err.status === 422 && Array.isArray(detail)) {
    // FastAPI's own 422 names where, never the value (hall/app.py): say which fields.
    const where = detail.map((e) => (e.loc || []).slice(1).join(".")).filter(Boolean);
    return `填写有误：${where.join("、") || "请求格式不对"}（invalid input）`;
  }
  if (err && err.status === 422) return `填写有误：${err.message}`;
  if (err && err.status) return `服务大厅返回错误（HTTP ${err.status}）`;
  return "无法连接服务大厅，请检查网络";
}

/** Working days left as a desk reads them: 剩 3 个工作日, 今日到期, 逾期 2 个工作日. */
export function timeLeft(item) {
  if (item.paused) return { text: "暂停计时（待补正）", kind: "paused" };
  if (item.working_days_left === null || item.working_days_left === undefined) {
    return { text: "—", kind: "" };
  }
  const left = item.working_days_left;
  if (item.overdue || left < 0) {
    return { text: `逾期 ${Math.abs(left)} 个工作日`, kind: "overdue" };
  }
  if (left === 0) return { text: "今日到期", kind: "due" };
  return { text: `剩 ${left} 个工作日`, kind: left <= 1 ? "due" : "" };
}
