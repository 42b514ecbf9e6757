// 短信记录 (sent messages): the newest texts the hall queued for applicants, as the hall lists them
// (GET /api/v1/notifications, supervisors): numbers masked (139****5678), the text itself (it
// holds no personal data by construction: hall.notify_templates), whether it was sent and how
// many of its parts the handset confirmed. In the demo these are the SMSC simulator's. A text "in
// doubt" (the hall or its link died before the SMSC's answer) waits for the SMSC's receipt; one
// sent again because none came is marked as a possible duplicate for the technician.

import { request } from "../api.js";
import { explain, formatTime, h, toast } from "../ui.js";

const EVENTS = {
  filing_received: "申请已受理",
  needs_more: "需补正",
  result_ready: "结果已出",
  demand_replied: "诉求已答复",
  rating_invited: "邀请评价",
  poor_rating_follow_up: "差评回访",
  policy_push: "政策推送",
};
const STATES = { pending: "待发送", sent: "已发送", failed: "发送失败" };
const BACKENDS = { smpp: "短信中心（SMPP）", https: "短信网关（HTTPS）" };

export async function render(view) {
  const body = h("tbody", { id: "message-rows" });
  const source = h("p", { class: "sub", id: "message-backend" });
  const reload = h("button", { type: "button", id: "message-reload" }, "刷新");
  view.append(
    h("h1", {}, "短信记录"),
    h("p", { class: "sub" }, "发给申请人的短信：号码只显示前三位和后四位；短信只含受理编号、事项名称和链接，不含姓名、证件号或填报内容。"),
    source,
    h("div", { class: "row" }, reload),
    h("div", { class: "card table-card" },
      h("table", { id: "message-table" },
        h("thead", {}, h("tr", {},
          ["时间", "号码", "事件", "内容", "状态", "送达"].map((t) => h("th", {}, t)))),
        body)),
  );
  reload.addEventListener("click", refresh);

  async function refresh() {
    let doc;
    try {
      doc = await request("GET", "/api/v1/notifications?limit=100");
    } catch (err) {
      if (err.status !== 401) toast(explain(err), "error");
      return;
    }
    source.textContent = doc.backend
      ? `发送通道：${BACKENDS[doc.backend] || doc.backend}`
      : "本大厅未配置短信通道：短信不会排队发送。";
    body.replaceChildren(...(doc.messages.length ? doc.messages.map(row)
      : [h("tr", {}, h("td", { class: "empty", colspan: 6 }, "还没有短信"))]));
  }

  function row(m) {
    let state = STATES[m.state] || m.state;
    if (m.in_doubt) state = "待确认（等待短信中心回执）";
    if (m.resent_in_doubt) state += `（无回执重发 ${m.resent_in_doubt} 次，可能重复）`;
    return h("tr", { "data-seq": String(m.seq) },
      h("td", {}, formatTime(m.sent_at || m.created_at)),
      h("td", { class: "mono" }, m.to_masked),
      h("td", {}, EVENTS[m.event] || m.event),
      h("td", { class: "message-text" }, m.body),
      h("td", { title: m.last_error || "" }, m.last_error && m.state !== "sent" ? `${state}（${m.last_error}）` : state),
      h("td", {}, m.parts ? `${m.delivered_parts}/${m.parts}` : "—"));
  }

  await refresh();
}
