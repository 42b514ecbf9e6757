// 软件版本 (software versions) on the fleet page: how many stations run each kiosk version (from
// their heartbeats), the versions the hall's apt repository holds, and the stations pinned to one
// (hall/software.py). Technicians and supervisors pin a station to a published version or release
// the pin; the station gets it with its next heartbeat and installs it between walk-ins
// (kiosk/updater.py). A version the repository does not hold is refused with the hall's reason.

import { request } from "../api.js";
import { explain, formatTime, h, toast } from "../ui.js";

export function softwarePanel(commander) {
  const running = h("div", { class: "chips", id: "software-running" });
  const published = h("div", { class: "muted small", id: "software-published" });
  const pins = h("tbody", { id: "software-pins" });
  const station = h("input", { id: "pin-station", class: "mono", placeholder: "站点编号，如 SND-SS-001",
    maxlength: "32", autocomplete: "off" });
  const version = h("select", { id: "pin-version" });
  const error = h("div", { class: "error", id: "pin-error", role: "alert" });
  const form = commander ? h("form", { class: "action-form", id: "pin-form", onsubmit: submit },
    h("label", {}, "站点 ", station), h("label", {}, "版本 ", version),
    h("button", { type: "submit", class: "primary", id: "pin-submit" }, "固定版本"), error) : null;
  const element = h("section", { class: "card", id: "fleet-software" },
    h("h2", {}, "软件版本"),
    h("p", { class: "sub" }, "按终端最近一次心跳统计。固定版本后，终端在下一次心跳时收到，并在两位办事人之间安装（可降级）。"),
    running, published, form,
    h("table", { id: "software-pin-table" },
      h("thead", {}, h("tr", {}, ["已固定的站点", "版本", "设置人", "时间", ""].map((t) => h("th", {}, t)))),
      pins));

  async function submit(event) {
    event.preventDefault();
    error.textContent = "";
    const id = station.value.trim().toUpperCase();
    try {
      await request("PUT", `/api/v1/software/pins/${encodeURIComponent(id)}`, { version: version.value });
      toast(`${id} 已固定为 ${version.value}`);
      station.value = "";
      await refresh();
    } catch (err) {
      error.textContent = explain(err);
    }
  }

  async function release(id) {
    try {
      await request("DELETE", `/api/v1/software/pins/${encodeURIComponent(id)}`);
      toast(`${id} 已取消固定，将安装最新版本`);
      await refresh();
    } catch (err) {
      toast(explain(err), "error");
    }
  }

  async function refresh() {
    let data;
    try {
      data = await request("GET", "/api/v1/software");
    } catch (err) {
      if (err.status !== 401) toast(explain(err), "error");
      return;
    }
    running.replaceChildren(...(data.running.length
      ? data.running.map((r) => h("span", { class: "chip", "data-running": r.version ?? "" },
        h("span", { class: "mono" }, r.version ?? "未上报"), ` · ${r.stations} 台`))
      : [h("span", { class: "muted" }, "还没有终端上报版本")]));
    published.textContent = data.repository
      ? `软件仓库中的版本：${data.published.join("、") || "暂无"}`
      : "本大厅尚未建立软件仓库（python -m hall apt init）";
    const chosen = version.value;
    version.replaceChildren(...data.published.slice().reverse().map((v) => h("option", { value: v }, v)));
    if (data.published.includes(chosen)) version.value = chosen;
    pins.replaceChildren(...(data.pins.length
      ? data.pins.map((p) => h("tr", { "data-pinned": p.station_id },
        h("td", { class: "mono" }, p.station_id), h("td", { class: "mono" }, p.version),
        h("td", {}, p.set_by), h("td", {}, formatTime(p.set_at)),
        h("td", {}, commander ? h("button", { type: "button", class: "link", "data-unpin": p.station_id,
          onclick: () => release(p.station_id) }, "取消固定") : null)))
      : [h("tr", {}, h("td", { class: "empty", colspan: 5 }, "没有固定版本的站点：各站安装最新版本"))]));
  }

  return { element, refresh };
}
