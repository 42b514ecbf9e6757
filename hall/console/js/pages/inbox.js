// A department's inbox of filed parts: tabs with counts (waiting, in progress, needs more
// material, overdue, done), filters, a search by tracking number, enterprise name or USCC (never
// an ID number), and pages the hall cuts (keyset: "next" carries on where the page ended).
// Overdue parts come first; each row says how many working days are left.

import { api } from "../api.js";
import { explain, formatTime, h, timeLeft, toast } from "../ui.js";
import {
  INBOX_TABS, PART_STATUS, catalogDepartmentName, loadCatalog, partStatusName,
} from "./labels.js";

const PAGE = 50;
// Kept while the console is open, so coming back from a filing keeps the tab and filters.
const filters = {
  tab: "waiting", service: "", station: "", status: "", from: "", to: "", q: "", department: "",
};

export async function render(view, { me }) {
  const supervisor = me.role !== "officer";
  let catalog = null;
  try {
    catalog = await loadCatalog(api);
  } catch {
    catalog = null; // the filters fall back to ids; the inbox itself still works
  }
  const services = catalog ? catalog.services.filter((s) => supervisor
    || s.department === me.department || s.parts.some((p) => p.department === me.department))
    : [];

  const tabs = h("div", { class: "tabs", id: "inbox-tabs", role: "tablist" });
  const serviceSelect = h("select", { id: "inbox-service" },
    h("option", { value: "" }, "全部事项"),
    services.map((s) => h("option", { value: s.id }, s.name_zh)));
  const statusSelect = h("select", { id: "inbox-status" },
    h("option", { value: "" }, "全部状态"),
    Object.entries(PART_STATUS).map(([id, [zh]]) => h("option", { value: id }, zh)));
  const departmentSelect = supervisor ? h("select", { id: "inbox-department" },
    h("option", { value: "" }, "全部部门"),
    (catalog ? catalog.departments : []).map((d) => h("option", { value: d.id }, d.name_zh)))
    : null;
  const station = h("input", { id: "inbox-station", placeholder: "如 QH001", size: 8 });
  const from = h("input", { id: "inbox-from", type: "date" });
  const to = h("input", { id: "inbox-to", type: "date" });
  const search = h("input", {
    id: "inbox-search", type: "search", class: "search",
    placeholder: "受理编号 / 企业名称 / 统一社会信用代码",
  });
  serviceSelect.value = filters.service;
  statusSelect.value = filters.status;
  if (departmentSelect) departmentSelect.value = filters.department;
  station.value = filters.station;
  from.value = filters.from;
  to.value = filters.to;
  search.value = filters.q;

  const count = h("span", { class: "sub", id: "inbox-count" });
  const body = h("tbody", { id: "inbox-rows" });
  const prev = h("button", { type: "button", id: "inbox-prev" }, "← 上一页");
  const next = h("button", { type: "button", id: "inbox-next" }, "下一页 →");
  // The cursors of the pages before this one, so "上一页" can go back.
  let cursors = [];
  let cursor = null;

  const scope = supervisor ? "全部部门" : catalogDepartmentName(catalog, me.department);
  view.append(
    h("h1", {}, "办件收件箱"),
    h("p", { class: "sub" }, `Filings inbox · ${scope} · 逾期的排在最前，时限按工作日计算`),
    tabs,
    h("div", { class: "card" },
      h("div", { class: "filters" },
        h("div", { class: "grow" }, h("label", { for: "inbox-search" }, "搜索"), search),
        h("button", { type: "button", class: "primary", id: "inbox-search-go", onclick: () => reload() },
          "搜索"),
        h("div", {}, h("label", { for: "inbox-service" }, "事项"), serviceSelect),
        h("div", {}, h("label", { for: "inbox-status" }, "状态"), statusSelect),
        departmentSelect ? h("div", {}, h("label", { for: "inbox-department" }, "部门"),
          departmentSelect) : null,
        h("div", {}, h("label", { for: "inbox-station" }, "站点"), station),
        h("div", {}, h("label", { for: "inbox-from" }, "收件日期（自 … 至 …）"),
          h("div", { class: "range" }, from, to))),
      h("table", {},
        h("thead", {}, h("tr", {},
          ["受理编号", "事项", supervisor ? "部门" : null, "状态", "企业", "站点", "收件时间",
            "办理时限"].filter(Boolean).map((t) => h("th", {}, t)))),
        body),
      h("div", { class: "pager" }, prev, count, next)),
  );

  function drawTabs(counts) {
    tabs.replaceChildren(...INBOX_TABS.map(([id, zh]) => h("button", {
      type: "button", role: "tab", "data-tab": id,
      class: `tab${id === filters.tab ? " active" : ""}${id === "overdue" && counts[id] ? " alert" : ""}`,
      "aria-selected": id === filters.tab ? "true" : "false",
      onclick: () => { filters.tab = id; reload(); },
    }, zh, h("span", { class: "count" }, String(counts[id] ?? 0)))));
  }

  function row(item) {
    const open = () => { location.hash = `#/filings/${encodeURIComponent(item.submission_id)}`; };
    const left = timeLeft(item);
    return h("tr", {
      class: `clickable${item.overdue ? " overdue" : ""}`, tabindex: 0,
      "data-id": item.submission_id, "data-part": item.part_id,
      onclick: open, onkeydown: (e) => { if (e.key === "Enter") open(); },
    },
      h("td", { class: "mono" }, item.tracking_number),
      h("td", {}, item.service_name_zh, h("div", { class: "small muted" }, item.service_name_en)),
      supervisor ? h("td", {}, catalogDepartmentName(catalog, item.department)) : null,
      h("td", {}, h("span", { class: `badge part-${item.status}` }, partStatusName(item.status))),
      h("td", {}, item.enterprise_name || "—",
        item.uscc ? h("div", { class: "small muted mono" }, item.uscc) : null),
      h("td", { class: "mono" }, item.station_id || "—"),
      h("td", {}, formatTime(item.received_at)),
      h("td", {}, item.due_on || "—",
        h("div", {}, h("span", { class: `badge left ${left.kind}` }, left.text))));
  }

  async function load() {
    Object.assign(filters, {
      service: serviceSelect.value, status: statusSelect.value, station: station.value.trim(),
      from: from.value, to: to.value, q: search.value.trim(),
      department: departmentSelect ? departmentSelect.value : "",
    });
    let data;
    try {
      data = await api.inbox({ ...filters, after: cursor, limit: PAGE });
    } catch (err) {
      body.replaceChildren(h("tr", {}, h("td", { colspan: 8, class: "empty", id: "inbox-error" },
        explain(err))));
      toast(explain(err), "error");
      return;
    }
    drawTabs(data.counts);
    const first = cursors.length * PAGE;
    count.textContent = data.items.length
      ? `第 ${first + 1}–${first + data.items.length} 件` : "";
    prev.disabled = cursors.length === 0;
    next.disabled = !data.next;
    next.onclick = () => { cursors.push(cursor); cursor = data.next; load(); };
    if (!data.items.length) {
      body.replaceChildren(h("tr", {}, h("td", { colspan: 8, class: "empty" }, "没有符合条件的办件")));
      return;
    }
    body.replaceChildren(...data.items.map(row));
  }

  function reload() {
    cursors = [];
    cursor = null;
    return load();
  }

  prev.addEventListener("click", () => { cursor = cursors.pop() ?? null; load(); });
  search.addEventListener("keydown", (e) => { if (e.key === "Enter") reload(); });
  for (const el of [serviceSelect, statusSelect, departmentSelect, station, from, to]) {
    if (el) el.addEventListener("change", reload);
  }
  drawTabs({});
  await reload();
}
