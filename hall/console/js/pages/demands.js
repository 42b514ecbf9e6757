// The demands list: filters (state, category, overdue only) and one row per demand; overdue
// first. Rows hold tracking data only; the enterprise's own words are on the detail page.

import { api } from "../api.js";
import { explain, formatTime, h, toast } from "../ui.js";
import { categoryName, departmentName, stateName } from "./labels.js";

// Kept while the console is open, so coming back from a detail keeps the filters.
const filters = { state: "", category: "", overdue: false };

export async function render(view, { meta }) {
  const stateSelect = h("select", { id: "filter-state" },
    h("option", { value: "" }, "全部状态"),
    Object.entries(meta.states).map(([id, label]) => h("option", { value: id }, label.zh)));
  const categorySelect = h("select", { id: "filter-category" },
    h("option", { value: "" }, "全部类别"),
    meta.categories.map((c) => h("option", { value: c.id }, c.name_zh)));
  const overdueBox = h("input", { type: "checkbox", id: "filter-overdue" });
  stateSelect.value = filters.state;
  categorySelect.value = filters.category;
  overdueBox.checked = filters.overdue;

  const count = h("span", { class: "sub", id: "demand-count" });
  const body = h("tbody", { id: "demand-rows" });
  view.append(
    h("h1", {}, "诉求管理"),
    h("p", { class: "sub" }, "企业诉求闭环：受理 → 分类 → 交办 → 办理 → 答复 → 企业确认"),
    h("div", { class: "card" },
      h("div", { class: "filters" },
        h("div", {}, h("label", { for: "filter-state" }, "状态"), stateSelect),
        h("div", {}, h("label", { for: "filter-category" }, "类别"), categorySelect),
        h("label", { class: "check", for: "filter-overdue" }, overdueBox, "只看逾期"),
        count),
      h("table", {},
        h("thead", {}, h("tr", {},
          ["受理编号", "类别", "状态", "承办部门", "受理时间", "办理期限", ""].map((t) => h("th", {}, t)))),
        body)),
  );

  async function load() {
    Object.assign(filters, {
      state: stateSelect.value, category: categorySelect.value, overdue: overdueBox.checked,
    });
    let data;
    try {
      data = await api.demands({
        state: filters.state, category: filters.category, overdue: filters.overdue ? "true" : "",
      });
    } catch (err) {
      toast(explain(err), "error");
      return;
    }
    count.textContent = `共 ${data.total} 件`;
    if (!data.items.length) {
      body.replaceChildren(h("tr", {}, h("td", { colspan: 7, class: "empty" }, "没有符合条件的诉求")));
      return;
    }
    body.replaceChildren(...data.items.map((d) => {
      const open = () => { location.hash = `#/demands/${encodeURIComponent(d.id)}`; };
      return h("tr", {
        class: `clickable${d.overdue ? " overdue" : ""}`, "data-id": d.id, tabindex: 0,
        onclick: open, onkeydown: (e) => { if (e.key === "Enter") open(); },
      },
        h("td", { class: "mono" }, d.tracking_number),
        h("td", {}, categoryName(meta, d.category, d.subcategory)),
        h("td", {}, h("span", { class: `badge state-${d.state}` }, stateName(meta, d.state))),
        h("td", {}, departmentName(meta, d.department)),
        h("td", {}, formatTime(d.received_at)),
        h("td", {}, d.due_date),
        h("td", {},
          d.overdue ? h("span", { class: "badge overdue" }, "已逾期") : null,
          d.replied_late ? h("span", { class: "badge late" }, "超期答复") : null),
      );
    }));
  }

  for (const el of [stateSelect, categorySelect, overdueBox]) el.addEventListener("change", load);
  await load();
}
