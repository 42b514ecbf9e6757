// The supervisor's board: every department's parts as of the hall's clock — waiting, in
// progress, needing more material, overdue — with what each closed in the last 30 days and
// how many days a part takes to close on average.

import { api } from "../api.js";
import { explain, h } from "../ui.js";

function figure(id, label, value, hint, kind = "") {
  return h("div", { class: `figure ${kind}`, id },
    h("div", { class: "label" }, label),
    h("div", { class: "value" }, value),
    hint ? h("div", { class: "hint" }, hint) : null);
}

function days(value) {
  return value === null || value === undefined ? "—" : `${Number(value.toFixed(1))} 天`;
}

export async function render(view) {
  let board;
  try {
    board = await api.board();
  } catch (err) {
    view.append(h("h1", {}, "部门看板"),
      h("div", { class: "card refused", id: "board-refused", role: "alert" }, explain(err)));
    return;
  }
  const t = board.total;
  view.append(
    h("h1", {}, "部门看板"),
    h("p", { class: "sub" }, "Departments board · 各部门办件情况，逾期的标红"),
    h("div", { class: "figures" },
      figure("board-waiting", "待受理", String(t.waiting), "Waiting"),
      figure("board-in-progress", "办理中", String(t.in_progress), "In progress"),
      figure("board-needs-more", "待补正", String(t.needs_more), "Needs more material"),
      figure("board-overdue", "已逾期", String(t.overdue), "Overdue", t.overdue ? "alert" : "good"),
      figure("board-avg", "平均办结用时", days(t.avg_days_to_close),
        `近 30 天办结 ${t.closed_30d} 件 · Average days to close`)),
    h("div", { class: "card table-card" },
      h("table", { id: "board-table" },
        h("thead", {}, h("tr", {},
          ["部门", "待受理", "办理中", "待补正", "已逾期", "近30天办结", "平均办结用时"]
            .map((c) => h("th", {}, c)))),
        h("tbody", {},
          board.departments.map((d) => h("tr", { "data-department": d.id,
            class: d.overdue ? "overdue" : "" },
          h("td", {}, d.name_zh, h("div", { class: "small muted" }, d.name_en)),
          h("td", { class: "num" }, String(d.waiting)),
          h("td", { class: "num" }, String(d.in_progress)),
          h("td", { class: "num" }, String(d.needs_more)),
          h("td", { class: "num" }, d.overdue
            ? h("span", { class: "badge overdue" }, String(d.overdue)) : "0"),
          h("td", { class: "num" }, String(d.closed_30d)),
          h("td", { class: "num" }, days(d.avg_days_to_close))))),
        h("tfoot", {}, h("tr", { id: "board-total" },
          h("th", {}, "合计"),
          ...[t.waiting, t.in_progress, t.needs_more, t.overdue, t.closed_30d]
            .map((n) => h("th", { class: "num" }, String(n))),
          h("th", { class: "num" }, days(t.avg_days_to_close)))))),
  );
}
