// 好差评 at the console: the rectification tasks poor ratings opened (an officer sees their own
// department's, a supervisor every department's), each worked by recording the call-back — when
// the enterprise was called and what was agreed — and then closing it; and, for supervisors,
// satisfaction per department and per service. Ratings themselves are the enterprise's: nothing
// here enters or changes one.

import { request } from "../api.js";
import { explain, formatPercent, formatTime, h, toast } from "../ui.js";

const LEVELS = { 5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意" };
const INDICATORS = { overall: "整体满意度", efficiency: "服务效率", skill: "服务水平", attitude: "服务态度" };
const STATES = { open: "待回访", called_back: "已回访", closed: "已办结" };

function figure(id, label, value, hint, kind = "") {
  return h("div", { class: `figure ${kind}`, id },
    h("div", { class: "label" }, label),
    h("div", { class: "value" }, value),
    hint ? h("div", { class: "hint" }, hint) : null);
}

function rate(value) {
  return value === null || value === undefined ? "—" : formatPercent(value);
}

function ratesTable(id, rows, first, key) {
  return h("table", { id },
    h("thead", {}, h("tr", {},
      [first, "评价数", "满意率", "平均", "不满意及以下", ...(key === "department" ? ["整改中", "整改逾期"] : [])]
        .map((c) => h("th", {}, c)))),
    h("tbody", {}, rows.map((r) => h("tr", { [`data-${key}`]: r[key] },
      h("td", {}, r.name_zh, h("div", { class: "small muted" }, r.name_en)),
      h("td", { class: "num" }, String(r.count)),
      h("td", { class: "num" }, rate(r.satisfied_rate)),
      h("td", { class: "num" }, r.average === null ? "—" : String(r.average)),
      h("td", { class: "num" }, String(r.poor)),
      ...(key === "department" ? [
        h("td", { class: "num" }, String(r.rectifications_open)),
        h("td", { class: "num" }, r.rectifications_overdue
          ? h("span", { class: "badge overdue" }, String(r.rectifications_overdue)) : "0"),
      ] : [])))));
}

function taskCard(task, redraw) {
  const scores = Object.entries(INDICATORS)
    .map(([k, label]) => `${label} ${task.indicators[k] ?? "—"}`).join(" · ");
  const card = h("div", { class: `card task ${task.overdue ? "overdue" : ""}`, "data-seq": String(task.seq) },
    h("h2", {}, `${task.tracking_number} · ${task.part_name_zh}`),
    h("dl", { class: "facts" },
      h("dt", {}, "承办部门"), h("dd", {}, task.department_name_zh),
      h("dt", {}, "企业评价"), h("dd", { class: "level" }, `${LEVELS[task.level]}（${task.level} 分）`),
      h("dt", {}, "分项"), h("dd", {}, scores),
      h("dt", {}, "意见建议"), h("dd", { class: "comment" }, task.comment || "—"),
      h("dt", {}, "整改期限"), h("dd", { class: "due" },
        `${task.due_on}（15 个工作日${task.overdue ? "，已逾期" : `，剩 ${task.working_days_left} 个工作日`}）`),
      h("dt", {}, "状态"), h("dd", { class: "state" }, STATES[task.state] || task.state),
      task.callback_at ? [
        h("dt", {}, "回访"),
        h("dd", { class: "callback" }, `${formatTime(task.callback_at)} · ${task.handled_by}：${task.callback_note}`),
      ] : null));
  if (task.state === "closed") return card;
  const when = h("input", { type: "datetime-local", class: "called-at" });
  const note = h("textarea", { class: "callback-note", maxlength: 2000,
    placeholder: "与企业商定的整改措施" }, task.callback_note || "");
  const send = async (body) => {
    try {
      await request("POST", `/api/v1/rectifications/${task.seq}`, { version: task.version, ...body });
      toast(body.action === "close" ? "整改任务已办结" : "回访已记录");
      await redraw();
    } catch (err) {
      toast(explain(err), "error");
    }
  };
  card.append(h("div", { class: "field" },
    h("label", {}, "回访时间（不填为现在）"), when),
  h("div", { class: "field" }, h("label", {}, "回访情况"), note),
  h("div", { class: "actions" },
    h("button", { type: "button", class: "primary record-callback", onclick: () => send({
      action: "callback",
      note: note.value,
      // The browser's local time with its offset, as the hall expects.
      called_at: when.value ? new Date(when.value).toISOString() : null,
    }) }, "记录回访"),
    task.state === "called_back"
      ? h("button", { type: "button", class: "close-task", onclick: () => send({ action: "close" }) },
        "办结整改")
      : null));
  return card;
}

export async function render(view, ctx) {
  const supervisor = ctx.me.role === "supervisor" || ctx.me.role === "admin";
  async function draw() {
    let tasks;
    let rates = null;
    try {
      tasks = await request("GET", "/api/v1/rectifications");
      if (supervisor) rates = await request("GET", "/api/v1/ratings/rates");
    } catch (err) {
      view.replaceChildren(h("h1", {}, "好差评整改"),
        h("div", { class: "card refused", role: "alert" }, explain(err)));
      return;
    }
    const open = tasks.items.filter((t) => t.state !== "closed");
    const overdue = open.filter((t) => t.overdue);
    view.replaceChildren(...[
      h("h1", {}, "好差评整改"),
      h("p", { class: "sub" }, "Ratings and rectification · 企业本人评价；不满意及以下须在 15 个工作日内回访整改"),
      h("div", { class: "figures" },
        figure("ratings-open", "待整改", String(open.length), "Open tasks"),
        figure("ratings-overdue", "整改逾期", String(overdue.length), "Overdue", overdue.length ? "alert" : "good"),
        rates ? figure("ratings-satisfied", "满意率", rate(rates.total.satisfied_rate),
          `共 ${rates.total.count} 条评价 · Satisfied or better`) : null),
      rates ? h("div", { class: "card table-card" }, h("h2", {}, "各部门"),
        ratesTable("rates-departments", rates.departments, "部门", "department")) : null,
      rates ? h("div", { class: "card table-card" }, h("h2", {}, "各事项"),
        ratesTable("rates-services", rates.services, "事项", "service_id")) : null,
      h("h2", {}, "整改任务"),
      h("div", { id: "tasks" }, tasks.items.length
        ? tasks.items.map((t) => taskCard(t, draw))
        : h("p", { class: "sub", id: "no-tasks" }, "暂无整改任务")),
    ].filter(Boolean));
  }
  await draw();
}
