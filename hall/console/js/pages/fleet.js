// 终端状态 (fleet): every station's last heartbeat — devices with their backends, outbox, disk,
// software and configuration version — and its alerts in words with what to do. The hall pages
// the list by station id (keyset: "next" carries on where the page ended) and filters it (全部,
// 需处理 = any alert, 离线), with the whole fleet's counts: a city's thousands of stations are
// never loaded at once. A simulated device on a station that is no demo or test rig (DEMO-/TEST-)
// is a red, counted alarm. Refreshes every 15 s while shown. Times are relative to the hall's
// clock (`silent_s`), so a desk whose clock is off still reads "3 分钟前" correctly. Technicians
// and supervisors open a station's remote commands (fleet_commands.js) under its row, and pin
// stations to a kiosk version below the list (fleet_software.js).

import { request } from "../api.js";
import { explain, formatTime, h, toast } from "../ui.js";
import { commandPanel } from "./fleet_commands.js";
import { softwarePanel } from "./fleet_software.js";

const REFRESH_MS = 15000;
const PAGE = 50;
let timer = null;

// The roles the hall lets issue remote commands (hall/auth.py GRANTS: technician and up).
const COMMANDERS = ["technician", "supervisor", "admin"];

const SHOW = [["all", "全部"], ["alarms", "需处理"], ["offline", "离线"]];

const DEVICES = { card_reader: "读卡器", printer: "凭条打印机", camera: "摄像头" };

// Short words for a device chip.
const CODE_WORDS = {
  PRINTER_PAPER_OUT: "缺纸",
  PRINTER_PAPER_NEAR_END: "纸将用完",
  PRINTER_COVER_OPEN: "机盖未合",
  PRINTER_UNAVAILABLE: "无响应",
  PRINTER_CUTTER_ERROR: "切刀卡住",
  PRINTER_FAILED: "故障",
  CARD_READER_UNAVAILABLE: "未连接",
  CARD_READ_FAILED: "读卡失败",
  CARD_READER_LINK_ERROR: "通信异常",
  CARD_READER_FAULT: "硬件故障",
  CAMERA_UNAVAILABLE: "未连接",
  CAMERA_FROZEN: "画面卡住",
  DEVICE_STARTING: "启动中",
};

// A device that is down: [what happened, what to do]. See docs/failure_codes.md.
const DOWN = {
  PRINTER_PAPER_OUT: ["凭条打印机缺纸", "请到站点更换热敏纸卷（57/80 mm）。申请已保存，群众可拍下屏幕上的受理编号。"],
  PRINTER_COVER_OPEN: ["凭条打印机机盖未合上", "请到站点合紧打印机盖。"],
  PRINTER_UNAVAILABLE: ["凭条打印机无响应", "检查打印机电源和数据线；仍无响应请派技术员。"],
  PRINTER_CUTTER_ERROR: ["凭条打印机切刀卡住", "打开打印机清理切刀，再合上机盖。"],
  PRINTER_FAILED: ["凭条打印机报告故障", "清理切刀并重启打印机；反复出现请派技术员。"],
  CARD_READER_UNAVAILABLE: ["读卡器未连接", "检查读卡器 USB 线；修好前群众只能办理无需身份证的事项。"],
  CARD_READER_LINK_ERROR: ["读卡器通信异常", "检查读卡器数据线和波特率设置。"],
  CARD_READER_FAULT: ["读卡器硬件故障", "给读卡器断电重启；安全模块故障请联系厂家。"],
  CAMERA_UNAVAILABLE: ["摄像头未连接", "检查摄像头 USB 线；接好后终端会自动重新打开。"],
  CAMERA_FROZEN: ["摄像头画面卡住", "拔插摄像头；反复出现请更换。"],
};

export function ago(seconds) {
  if (seconds < 60) return "刚刚";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} 分钟前`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} 小时前`;
  return `${Math.floor(seconds / 86400)} 天前`;
}

export function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} 秒`;
  if (s < 3600) return `${Math.floor(s / 60)} 分钟`;
  if (s < 86400) return `${Math.floor(s / 3600)} 小时 ${Math.floor((s % 3600) / 60)} 分`;
  return `${Math.floor(s / 86400)} 天 ${Math.floor((s % 86400) / 3600)} 小时`;
}

function gigabytes(bytes) {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.round(bytes / 1024 ** 2)} MB`;
}

/** One alert code in words: {level, title, action}. */
export function describe(code, station) {
  const report = station.report;
  const [kind, device, deviceCode] = code.split(":");
  const deviceName = DEVICES[device] || device;
  switch (kind) {
    case "STATION_OFFLINE":
      return { level: "critical", title: `站点离线：已 ${duration(station.silent_s)}未收到心跳`,
        action: "检查站点电源和网络；仍无法恢复请派技术员到场。本行其余各栏为离线前最后一次上报。" };
    case "DEVICE_DOWN": {
      const [title, action] = DOWN[deviceCode] || [`${deviceName}故障`, "请派技术员检查。"];
      return { level: "critical", title, action, code: deviceCode };
    }
    case "DEVICE_SIMULATED":
      return { level: "critical", title: `${deviceName}使用的是模拟器，不是真实设备`,
        action: "生产站点必须连接真实设备：在终端维护模式或 kiosk.toml 中选择真实的设备后端。演示或测试站点的编号请以 DEMO- 或 TEST- 开头。",
        code: "simulator" };
    case "PAPER_LOW":
      return { level: "warning", title: "凭条纸即将用完", action: "请尽快到站点更换纸卷。", code: "PRINTER_PAPER_NEAR_END" };
    case "DEVICE_DEGRADED":
      return { level: "warning", title: `${deviceName}工作异常（${CODE_WORDS[deviceCode] || deviceCode}）`,
        action: "请留意；持续出现请派技术员检查。", code: deviceCode };
    case "OUTBOX_STALE":
      return { level: "warning", title: `最早一件申请已等待 ${duration(report.oldest_pending_s || 0)}，仍未送达大厅`,
        action: "检查站点网络及与大厅的连接；申请已加密保存在终端，连通后自动上传。" };
    case "OUTBOX_BACKLOG":
      return { level: "warning", title: `待上传申请积压 ${report.outbox_depth} 件`,
        action: "检查站点网络；终端会自动重传，无需群众重新办理。" };
    case "DISK_LOW": {
      const left = report.disk_free_bytes == null ? "" : gigabytes(report.disk_free_bytes);
      const pct = report.disk_free_pct == null ? "" : `（${report.disk_free_pct}%）`;
      return { level: "warning", title: `终端存储空间不足：剩余 ${left}${pct}`,
        action: "请技术员清理空间；存储耗尽时群众将无法提交申请。" };
    }
    default:
      return { level: "warning", title: code, action: "请派技术员检查。" };
  }
}

function deviceChip(name, health, station) {
  const level = health.level;
  const words = level === "ok" ? "正常" : CODE_WORDS[health.code] || health.code || level;
  const simulated = station.alerts.includes(`DEVICE_SIMULATED:${name}`);
  return h("div", { class: "device" },
    h("span", { class: `chip ${level}`, "data-device": name, title: health.code || "" },
      `${DEVICES[name] || name} · ${words}`),
    health.backend
      ? h("div", simulated
        ? { class: "seen late small mono backend", "data-backend": name, title: "模拟器 simulator" }
        : { class: "muted small mono backend", "data-backend": name },
      simulated ? `模拟器 ${health.backend}` : health.backend)
      : null);
}

function alertBlock(code, station) {
  const a = describe(code, station);
  return h("div", { class: `fleet-alert ${a.level}`, "data-alert": code },
    h("div", { class: "alert-title" }, a.title, a.code ? h("span", { class: "mono code" }, a.code) : null),
    h("div", { class: "alert-action" }, `处理：${a.action}`));
}

function stationRow(station, toggle) {
  const r = station.report;
  const offline = station.alerts.includes("STATION_OFFLINE");
  const devices = Object.entries(r.devices || {});
  const pending = r.outbox_depth === 0 ? h("span", { class: "muted" }, "无")
    : [h("div", {}, `${r.outbox_depth} 件`),
      r.oldest_pending_s != null ? h("div", { class: "muted small" }, `最早 ${duration(r.oldest_pending_s)}`) : null];
  const disk = r.disk_free_bytes == null ? h("span", { class: "muted" }, "未上报")
    : [h("div", {}, gigabytes(r.disk_free_bytes)),
      r.disk_free_pct != null ? h("div", { class: "muted small" }, `${r.disk_free_pct}%`) : null];
  return h("tr", { class: `station ${station.severity}`, "data-station": station.station_id },
    h("td", {},
      h("div", { class: "station-id mono" }, station.station_id),
      station.name ? h("div", { class: "station-name" }, station.name) : null,
      toggle ? h("button", { type: "button", class: "link command-toggle", "data-commands": station.station_id,
        onclick: () => toggle(station.station_id) }, "远程指令") : null),
    h("td", { title: formatTime(station.last_seen) },
      h("div", { class: offline ? "seen late" : "seen" }, ago(station.silent_s)),
      h("div", { class: "muted small" }, formatTime(station.last_seen))),
    h("td", {}, h("div", { class: "chips" }, devices.length
      ? devices.map(([name, health]) => deviceChip(name, health, station))
      : h("span", { class: "muted" }, "未上报"))),
    h("td", {}, pending),
    h("td", {}, disk),
    h("td", {},
      h("div", { class: "mono", "data-version": "software" }, r.version),
      h("div", { class: "muted small" }, "配置 ",
        h("span", { class: "mono", "data-version": "config" }, r.config_version || "未上报")),
      h("div", { class: "muted small" }, `已运行 ${duration(r.uptime_s)}`),
      station.demo ? h("div", { class: "muted small" }, "演示/测试站点") : null),
    h("td", { class: "alerts-cell" }, station.alerts.length
      ? station.alerts.map((code) => alertBlock(code, station))
      : h("span", { class: "fine" }, "运行正常"),
    r.last_error_codes && r.last_error_codes.length
      ? h("div", { class: "muted small recent" }, "近期故障代码：", h("span", { class: "mono" }, r.last_error_codes.join("、")))
      : null));
}

function figure(id, label, value, kind) {
  return h("div", { class: `figure${kind ? ` ${kind}` : ""}`, id },
    h("div", { class: "label" }, label), h("div", { class: "value" }, String(value)));
}

export async function render(view, state = {}) {
  clearInterval(timer);
  const me = state.me;
  const commander = Boolean(me && COMMANDERS.includes(me.role));
  const panels = new Map(); // station id -> its open command panel (kept across refreshes)
  let stations = [];
  let show = "all";
  let cursors = []; // the cursors of the pages before this one, so "上一页" can go back
  let cursor = null;
  const tabs = h("div", { class: "tabs", id: "fleet-tabs", role: "tablist" });
  const figures = h("div", { class: "figures", id: "fleet-figures" });
  const body = h("tbody", { id: "fleet-rows" });
  const count = h("span", { class: "sub", id: "fleet-count" });
  const software = softwarePanel(commander); // versions running, published, pinned (fleet_software.js)
  const prev = h("button", { type: "button", id: "fleet-prev" }, "← 上一页");
  const next = h("button", { type: "button", id: "fleet-next" }, "下一页 →");
  prev.onclick = () => { cursor = cursors.pop() ?? null; refresh(); };
  view.append(
    h("h1", {}, "终端状态"),
    h("p", { class: "sub" }, "各站点终端每 60 秒上报一次心跳；本页每 15 秒自动刷新。按站点编号分页；“需处理”只列有告警的站点。"),
    figures,
    tabs,
    h("div", { class: "card table-card" },
      h("table", { id: "fleet-table" },
        h("thead", {}, h("tr", {},
          ["站点", "最后心跳", "设备 / 后端", "待上传", "磁盘剩余", "软件 / 配置版本", "告警与处理"].map((t) => h("th", {}, t)))),
        body),
      h("div", { class: "pager" }, prev, count, next)),
    software.element,
  );

  function drawTabs(counts) {
    const number = { all: counts.total, alarms: counts.critical + counts.warning, offline: counts.offline };
    tabs.replaceChildren(...SHOW.map(([id, zh]) => h("button", {
      type: "button", role: "tab", "data-show": id,
      class: `tab${id === show ? " active" : ""}${id !== "all" && number[id] ? " alert" : ""}`,
      "aria-selected": id === show ? "true" : "false",
      onclick: () => { show = id; cursors = []; cursor = null; refresh(); },
    }, zh, h("span", { class: "count" }, String(number[id])))));
  }

  async function refresh() {
    if (!document.body.contains(body)) {
      clearInterval(timer);
      return;
    }
    const query = new URLSearchParams({ limit: String(PAGE), show });
    if (cursor) query.set("after", cursor);
    let data;
    try {
      data = await request("GET", `/api/v1/stations?${query}`);
    } catch (err) {
      if (err.status !== 401) toast(explain(err), "error");
      return; // keep the last table; the next round tries again
    }
    const c = data.counts;
    figures.replaceChildren(
      figure("fleet-total", "站点总数", c.total),
      figure("fleet-ok", "运行正常", c.ok, "good"),
      figure("fleet-warning", "需要关注", c.warning, c.warning ? "warn" : ""),
      figure("fleet-critical", "故障或离线", c.critical, c.critical ? "alert" : ""),
      figure("fleet-simulated", "使用模拟设备", c.simulated, c.simulated ? "alert" : ""),
    );
    drawTabs(c);
    const first = cursors.length * PAGE;
    stations = data.stations;
    count.textContent = stations.length ? `第 ${first + 1}–${first + stations.length} 个站点` : "";
    prev.disabled = cursors.length === 0;
    next.disabled = !data.next;
    next.onclick = () => { cursors.push(cursor); cursor = data.next; refresh(); };
    draw();
    for (const panel of panels.values()) panel.refresh();
    software.refresh();
  }

  function draw() {
    const toggle = commander ? toggleCommands : null;
    body.replaceChildren(...(stations.length
      ? stations.flatMap((station) => {
        const panel = panels.get(station.station_id);
        const row = stationRow(station, toggle);
        return panel ? [row, h("tr", { class: "command-row" }, h("td", { colspan: 7 }, panel.element))] : [row];
      })
      : [h("tr", {}, h("td", { class: "empty", colspan: 7 },
        show === "all" ? "还没有终端上报心跳" : "没有符合条件的站点"))]));
  }

  function toggleCommands(stationId) {
    if (panels.has(stationId)) {
      panels.delete(stationId);
    } else {
      const panel = commandPanel(stationId, me);
      panels.set(stationId, panel);
      panel.refresh();
    }
    draw();
  }
  await refresh();
  timer = setInterval(refresh, REFRESH_MS);
}
