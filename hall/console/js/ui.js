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

/** Words for an API error a person can act on. */
export function explain(err) {
  if (err && err.status === 409) return `操作未执行：${err.message}（请刷新后再试）`;
  if (err && err.status === 422) return `填写有误：${err.message}`;
  if (err && err.status === 403) return "没有权限执行此操作";
  if (err && err.status) return `服务大厅返回错误（HTTP ${err.status}）`;
  return "无法连接服务大厅，请检查网络";
}
