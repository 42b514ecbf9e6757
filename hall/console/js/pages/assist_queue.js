// 远程帮办 · 排队: walk-ins at the stations waiting for a helper. Refreshes every 2 s while shown;
// 接听 (accept) takes the call and opens the live session.

import { api } from "../api.js";
import { explain, h, toast } from "../ui.js";

const REFRESH_MS = 2000;
let timer = null;

function waited(seconds) {
  if (seconds < 60) return `${seconds} 秒`;
  return `${Math.floor(seconds / 60)} 分 ${seconds % 60} 秒`;
}

export async function render(view) {
  clearInterval(timer);
  const body = h("tbody", { id: "assist-queue-rows" });
  view.append(
    h("h1", {}, "远程帮办 · 排队"),
    h("p", { class: "sub" }, "站点上的群众请求远程帮办，按等候先后排列。接听后即进入实时帮办。"),
    h("div", { class: "card" },
      h("table", { id: "assist-queue" },
        h("thead", {}, h("tr", {},
          h("th", {}, "站点"), h("th", {}, "办理事项"), h("th", {}, "已等候"), h("th", {}, ""))),
        body)),
  );

  async function refresh() {
    if (!document.body.contains(body)) {
      clearInterval(timer);
      return;
    }
    let rows;
    try {
      rows = await api.assistQueue();
    } catch (err) {
      if (err.status !== 401) toast(explain(err), "error");
      clearInterval(timer);
      return;
    }
    body.replaceChildren(
      ...(rows.length === 0
        ? [h("tr", {}, h("td", { class: "empty", colspan: 4 }, "暂无等候的群众"))]
        : rows.map((row) => h("tr", { class: "assist-request", "data-session": row.session_id },
          h("td", { class: "mono" }, row.station_id),
          h("td", {}, row.service_name || row.service_id || "（尚未选择事项）"),
          h("td", {}, waited(row.waiting_s)),
          h("td", {}, h("button", {
            class: "primary accept", type: "button",
            onclick: async (event) => {
              event.target.disabled = true;
              try {
                await api.assistAccept(row.session_id);
                clearInterval(timer);
                location.hash = `#/assist/${encodeURIComponent(row.session_id)}`;
              } catch (err) {
                toast(err.status === 409 ? "已被其他工作人员接听" : explain(err), "error");
                refresh();
              }
            },
          }, "接听")),
        ))),
    );
  }
  await refresh();
  timer = setInterval(refresh, REFRESH_MS);
}
