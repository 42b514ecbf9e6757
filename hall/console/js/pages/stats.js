// Demand statistics: the loop's figures (completion rate, average handling time, overdue) and a
// table by category. All of it comes from the hall's /api/v1/demands/stats as of its clock.

import { api } from "../api.js";
import { explain, formatPercent, formatTime, h } from "../ui.js";
import { categoryName } from "./labels.js";

function figure(id, label, value, hint, alert = false) {
  return h("div", { class: `figure${alert ? " alert" : ""}`, id },
    h("div", { class: "label" }, label),
    h("div", { class: "value" }, value),
    hint ? h("div", { class: "hint" }, hint) : null);
}

export async function render(view, { meta }) {
  let s;
  try {
    s = await api.demandStats();
  } catch (err) {
    view.append(h("p", { class: "card" }, explain(err)));
    return;
  }
  // Under a day reads better in hours (a same-morning answer is "1.5 小时", not "0.06 天").
  const days = s.avg_handling_days === null ? "—"
    : s.avg_handling_days < 1 ? `${Number((s.avg_handling_days * 24).toFixed(1))} 小时`
    : `${s.avg_handling_days} 天`;
  const workDays = s.avg_handling_working_days === null ? "" : `约 ${s.avg_handling_working_days} 个工作日`;
  const rows = Object.entries(s.by_category).sort((a, b) => b[1].total - a[1].total);
  view.append(
    h("h1", {}, "统计分析"),
    h("p", { class: "sub" }, `截至 ${formatTime(s.as_of)}`),
    h("div", { class: "figures" },
      figure("stat-total", "诉求总数", String(s.total), `办理中 ${s.open} · 待确认 ${s.replied}`),
      figure("stat-completion", "办结率", formatPercent(s.completion_rate), `已办结 ${s.confirmed} 件`),
      figure("stat-avg-days", "平均办理时长", days, workDays || "受理到首次答复"),
      figure("stat-overdue", "逾期未答复", String(s.overdue_count), `超期答复 ${s.late_reply_count} 件`, s.overdue_count > 0),
      figure("stat-rating", "企业平均评价", s.average_rating === null ? "—" : `${s.average_rating} 分`, `重办 ${s.reopened_count} 件`)),
    h("div", { class: "card" },
      h("h2", {}, "按类别"),
      h("table", { id: "stats-by-category" },
        h("thead", {}, h("tr", {}, ["类别", "总数", "已办结", "逾期", "办结率"].map((t) => h("th", {}, t)))),
        h("tbody", {}, rows.length ? rows.map(([id, c]) => h("tr", { "data-category": id },
          h("td", {}, categoryName(meta, id)),
          h("td", {}, String(c.total)),
          h("td", {}, String(c.confirmed)),
          h("td", {}, c.overdue ? h("span", { class: "badge overdue" }, String(c.overdue)) : "0"),
          h("td", {}, h("div", { class: "bar", title: formatPercent(c.total ? c.confirmed / c.total : 0) },
            h("span", { style: `width:${c.total ? (100 * c.confirmed) / c.total : 0}%` })))))
          : h("tr", {}, h("td", { colspan: 5, class: "empty" }, "暂无诉求"))))),
  );
}
