// One demand: the enterprise's filing (visible to staff; opening it is audited at the hall), the
// tracking facts, the actions its state allows, and its history. Each action opens a small form
// for what it needs (a category, a department, the answer) and posts it. The enterprise's rating
// (好差评) is its own, given on the phone or at a station: shown here, never entered.

import { api } from "../api.js";
import { explain, formatTime, h, toast } from "../ui.js";
import { ACTION_LABELS, categoryName, departmentName, stateName } from "./labels.js";

const FORWARD = ["reply", "confirm", "accept", "dispatch", "classify"];

const NOTE_PROMPTS = {
  return: "退回原因",
  reply: "答复内容（将告知企业）",
  confirm: "回访记录（可选）",
  reopen: "企业不满意的原因",
};

export async function render(view, ctx) {
  const [id] = ctx.params;
  let data;
  try {
    data = await api.demand(id);
  } catch (err) {
    view.append(h("p", { class: "card" }, err.status === 404 ? "没有这件诉求" : explain(err)));
    return;
  }
  draw(view, ctx, data);
}

function draw(view, ctx, data) {
  const { meta } = ctx;
  const d = data.demand;
  const actionArea = h("div", { class: "action-form", id: "action-form", hidden: true });
  // The step that moves the demand forward is the primary button; the others are side paths.
  const primary = FORWARD.find((a) => data.allowed_actions.includes(a));
  const buttons = data.allowed_actions.map((action) => h("button", {
    type: "button", id: `action-${action}`, "data-action": action,
    class: action === primary ? "primary" : "",
    onclick: () => openForm(action),
  }, ACTION_LABELS[action] || action));

  function openForm(action) {
    actionArea.hidden = false;
    actionArea.replaceChildren(...formFor(action, meta, d, async (body) => {
      try {
        const updated = await api.act(d.id, { action, ...body });
        toast(`「${ACTION_LABELS[action] || action}」已完成，当前状态：${stateName(meta, updated.state)}`);
        const fresh = await api.demand(d.id);
        view.replaceChildren();
        draw(view, ctx, fresh);
      } catch (err) {
        toast(explain(err), "error");
      }
    }));
  }

  view.append(
    h("div", { class: "back" }, h("a", { href: "#/demands" }, "← 返回诉求列表")),
    h("h1", { class: "demand-title" },
      h("span", { class: "mono" }, data.tracking_number), " ",
      h("span", { class: `badge state-${data.state}`, id: "demand-state" }, stateName(meta, data.state)), " ",
      data.overdue ? h("span", { class: "badge overdue", id: "demand-overdue" }, "已逾期") : null),
    h("p", { class: "sub" }, categoryName(meta, d.category, d.subcategory)),
    h("div", { class: "detail-grid" },
      h("section", { class: "card" },
        h("h2", {}, "企业诉求"),
        h("dl", { class: "facts", id: "filing" },
          data.filing.map((f) => [h("dt", {}, f.label_zh), h("dd", {}, f.value || "—")]))),
      h("section", {},
        h("div", { class: "card" },
          h("h2", {}, "办理情况"),
          h("dl", { class: "facts" },
            h("dt", {}, "受理时间"), h("dd", {}, formatTime(d.received_at)),
            h("dt", {}, "办理期限"), h("dd", { id: "demand-due" }, `${d.due_date}（工作日计算）`),
            h("dt", {}, "承办部门"), h("dd", { id: "demand-department" }, departmentName(meta, d.department)),
            h("dt", {}, "首次答复"), h("dd", {}, formatTime(d.first_replied_at) || "—"),
            h("dt", {}, "企业评价"), h("dd", { id: "demand-rating" }, data.rating ? `${"★".repeat(data.rating)}${"☆".repeat(5 - data.rating)}（${data.rating} 分，企业自评）` : "企业尚未评价"),
            d.reopen_count ? [h("dt", {}, "重办次数"), h("dd", {}, String(d.reopen_count))] : null)),
        h("div", { class: "card" },
          h("h2", {}, "可执行操作"),
          buttons.length ? h("div", { class: "actions", id: "actions" }, buttons)
            : h("p", { class: "sub", id: "actions" }, "已办结，无需操作"),
          actionArea),
        h("div", { class: "card" },
          h("h2", {}, "办理记录"),
          h("ol", { class: "history", id: "history" },
            [...d.history].reverse().map((e) => h("li", {},
              h("div", {}, h("strong", {}, ACTION_LABELS[e.action] || e.action), " → ",
                stateName(meta, e.to), e.detail && e.detail.department ? `（${departmentName(meta, e.detail.department)}）` : "",
                e.detail && e.detail.rating ? `（${e.detail.rating} 分）` : ""),
              h("div", { class: "when" }, `${formatTime(e.at)} · ${e.actor || "系统"}`),
              e.note ? h("div", { class: "note" }, e.note) : null)),
            d.history.length ? null : h("li", { class: "when" }, "尚无操作"))))),
  );
}

function formFor(action, meta, demand, submit) {
  const parts = [];
  const collect = [];
  if (action === "classify") {
    const cat = h("select", { id: "form-category" },
      meta.categories.map((c) => h("option", { value: c.id }, `${c.name_zh}（${c.deadline_working_days} 个工作日）`)));
    const sub = h("select", { id: "form-subcategory" });
    const fillSub = () => {
      const chosen = meta.categories.find((c) => c.id === cat.value);
      sub.replaceChildren(h("option", { value: "" }, "（不细分）"),
        ...(chosen ? chosen.children : []).map((s) => h("option", { value: s.id }, s.name_zh)));
    };
    cat.value = demand.category;
    fillSub();
    if (demand.subcategory) sub.value = demand.subcategory;
    cat.addEventListener("change", fillSub);
    parts.push(h("div", { class: "row" },
      h("div", { class: "field" }, h("label", { for: "form-category" }, "类别"), cat),
      h("div", { class: "field" }, h("label", { for: "form-subcategory" }, "细类"), sub)));
    collect.push((body) => { body.category = cat.value; body.subcategory = sub.value || null; });
  }
  if (action === "dispatch") {
    const hint = meta.categories.find((c) => c.id === demand.category);
    const dep = h("select", { id: "form-department" },
      h("option", { value: "" }, "请选择承办部门"),
      meta.departments.map((d) => h("option", { value: d.id }, d.name_zh)));
    parts.push(h("div", { class: "field" },
      h("label", { for: "form-department" }, "承办部门"), dep,
      hint ? h("div", { class: "sub" }, `建议：${hint.handler_zh}`) : null));
    collect.push((body) => {
      if (!dep.value) throw new Error("请选择承办部门");
      body.department = dep.value;
    });
  }
  if (action === "confirm") {
    parts.push(h("p", { class: "sub", id: "form-rating-note" },
      "评价由企业本人通过短信链接或站点终端作出，工作人员不代为评价。"));
  }
  if (NOTE_PROMPTS[action]) {
    const note = h("textarea", { id: "form-note", maxlength: 4000 });
    parts.push(h("div", { class: "field" }, h("label", { for: "form-note" }, NOTE_PROMPTS[action]), note));
    collect.push((body) => {
      if (action === "reply" && !note.value.trim()) throw new Error("请填写答复内容");
      body.note = note.value.trim();
    });
  }
  const go = h("button", { type: "button", class: "primary", id: "action-submit" },
    `确认${ACTION_LABELS[action] || action}`);
  go.addEventListener("click", async () => {
    const body = {};
    try {
      for (const fn of collect) fn(body);
    } catch (err) {
      toast(err.message, "error");
      return;
    }
    go.disabled = true;
    try { await submit(body); } finally { go.disabled = false; }
  });
  parts.push(go);
  return parts;
}
