// 帮办代办 bookings at the front desk: the slot each walk-in asked for (date, morning or
// afternoon) and the station they filed at; a helper confirms it, moves it to another slot or
// cancels it. A booking another helper changed meanwhile is refused with who and when: reload.

import { api } from "../api.js";
import { explain, formatTime, h, toast } from "../ui.js";
import { BOOKING_STATES, PERIODS } from "./labels.js";

const filters = { date: "", state: "" };

export async function render(view) {
  const date = h("input", { id: "bookings-date", type: "date" });
  const state = h("select", { id: "bookings-state" },
    h("option", { value: "" }, "全部状态"),
    Object.entries(BOOKING_STATES).map(([id, [zh]]) => h("option", { value: id }, zh)));
  date.value = filters.date;
  state.value = filters.state;
  const body = h("tbody", { id: "booking-rows" });
  const count = h("span", { class: "sub", id: "bookings-count" });
  view.append(
    h("h1", {}, "帮办代办预约"),
    h("p", { class: "sub" }, "Assisted-filing bookings · 企业在终端预约的帮办时段，请确认、改期或取消"),
    h("div", { class: "card" },
      h("div", { class: "filters" },
        h("div", {}, h("label", { for: "bookings-date" }, "预约日期"), date),
        h("div", {}, h("label", { for: "bookings-state" }, "状态"), state),
        h("button", { type: "button", id: "bookings-all",
          onclick: () => { date.value = ""; state.value = ""; load(); } }, "显示全部"),
        count),
      h("table", {},
        h("thead", {}, h("tr", {},
          ["预约时段", "站点", "企业", "受理编号", "状态", "备注", "操作"].map((t) => h("th", {}, t)))),
        body)),
  );

  async function act(b, payload) {
    try {
      const done = await api.bookingAct(b.submission_id, { version: b.version, ...payload });
      toast(`预约 ${done.tracking_number}：${BOOKING_STATES[done.state][0]}，${done.slot_date} ${PERIODS[done.slot_period]}`);
      await load();
    } catch (err) {
      toast(explain(err), "error");
      if (err.status === 409) await load(); // show what the other helper did
    }
  }

  function row(b) {
    const tools = h("div", { class: "booking-form", hidden: true });
    const open = b.state !== "cancelled";
    const moveForm = () => {
      const day = h("input", { type: "date", class: "move-date", value: b.slot_date });
      const period = h("select", { class: "move-period" },
        Object.entries(PERIODS).map(([k, v]) => h("option", { value: k }, v)));
      period.value = b.slot_period;
      const note = h("input", { class: "move-note", placeholder: "备注（可选）", maxlength: 2000 });
      tools.hidden = false;
      tools.replaceChildren(h("div", { class: "row" }, day, period, note,
        h("button", { type: "button", class: "primary move-go",
          onclick: () => act(b, { action: "move", slot_date: day.value, slot_period: period.value,
            ...(note.value.trim() ? { note: note.value.trim() } : {}) }) }, "确认改期")));
    };
    const cancelForm = () => {
      const note = h("input", { class: "cancel-note", placeholder: "取消原因（可选）", maxlength: 2000 });
      tools.hidden = false;
      tools.replaceChildren(h("div", { class: "row" }, note,
        h("button", { type: "button", class: "danger cancel-go",
          onclick: () => act(b, { action: "cancel",
            ...(note.value.trim() ? { note: note.value.trim() } : {}) }) }, "确认取消预约")));
    };
    return h("tr", { "data-id": b.submission_id, class: `booking state-${b.state}` },
      h("td", {}, h("strong", {}, b.slot_date), " ", PERIODS[b.slot_period] || b.slot_period),
      h("td", { class: "mono" }, b.station_id),
      h("td", {}, b.enterprise_name || "—"),
      h("td", { class: "mono" }, b.tracking_number),
      h("td", {}, h("span", { class: `badge booking-${b.state}` }, BOOKING_STATES[b.state][0]),
        b.updated_by ? h("div", { class: "small muted" }, `${b.updated_by} · ${formatTime(b.updated_at)}`)
          : null),
      h("td", { class: "note" }, b.note || ""),
      h("td", {},
        open ? h("div", { class: "actions" },
          b.state === "requested" ? h("button", { type: "button", class: "primary confirm",
            onclick: () => act(b, { action: "confirm" }) }, "确认") : null,
          h("button", { type: "button", class: "move", onclick: moveForm }, "改期"),
          h("button", { type: "button", class: "cancel", onclick: cancelForm }, "取消"))
          : h("span", { class: "muted" }, "—"),
        tools));
  }

  async function load() {
    Object.assign(filters, { date: date.value, state: state.value });
    let data;
    try {
      data = await api.bookings(filters);
    } catch (err) {
      body.replaceChildren(h("tr", {}, h("td", { colspan: 7, class: "empty" }, explain(err))));
      return;
    }
    count.textContent = `共 ${data.items.length} 条`;
    body.replaceChildren(...(data.items.length ? data.items.map(row)
      : [h("tr", {}, h("td", { colspan: 7, class: "empty" }, "没有预约"))]));
  }

  for (const el of [date, state]) el.addEventListener("change", load);
  await load();
}
