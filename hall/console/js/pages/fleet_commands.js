// 远程指令 (remote commands) for one station on the fleet page: a command menu (restart the kiosk
// app, reload its configuration, run the device self-tests, upload a diagnostics bundle, set one
// allowed configuration value), a one-time technician code for this station, the fallback PIN's
// rotation (supervisors), and the station's command history with each status and result. The
// hall signs each command and hands it to the station with its next heartbeat (within a minute);
// the station runs it only between walk-ins and answers. A refusal — a key off the allow-list, a
// value of the wrong type — is shown here with the hall's reason. Under it, the station's latest
// technician actions with whose hands they were (a technician's account, or 备用密码).

import { request } from "../api.js";
import { explain, formatTime, h } from "../ui.js";

const KINDS = [
  ["self_test", "设备自检"],
  ["upload_diagnostics", "上传诊断包"],
  ["reload_config", "重新加载配置"],
  ["restart", "重启终端程序"],
  ["set", "修改配置"],
];
const KIND_WORDS = {
  ...Object.fromEntries(KINDS),
  technician_code: "一次性维护码",
  set_fallback_pin: "更换备用维护密码",
};
// The allow-list (contracts/remote_commands.py SETTABLE) with words for the menu.
const KEYS = [
  ["devices.card_reader.backend", "读卡器后端"],
  ["devices.card_reader.options", "读卡器参数（JSON）"],
  ["devices.printer.backend", "凭条打印机后端"],
  ["devices.printer.options", "凭条打印机参数（JSON）"],
  ["devices.camera.backend", "摄像头后端"],
  ["devices.camera.options", "摄像头参数（JSON）"],
  ["devices.speaker.backend", "语音播报后端"],
  ["devices.speaker.options", "语音播报参数（JSON）"],
  ["timeouts.idle_s", "无操作提醒（秒）"],
  ["timeouts.warning_s", "倒计时（秒）"],
  ["timeouts.receipt_s", "凭条页停留（秒）"],
  ["timeouts.card_read_s", "读卡等待（秒）"],
  ["ui.language", "默认语言（zh_CN / en_US）"],
  ["ui.care_mode", "默认关怀模式（true / false）"],
  ["speech.enabled", "朗读开启（true / false）"],
  ["speech.volume", "音量（0–100）"],
];
const STATUS_WORDS = {
  queued: "排队中", delivered: "已下发", done: "已完成", failed: "失败", expired: "已过期",
};

// The technician audit's actions (kiosk/technician/service.py) in words.
const ACTION_WORDS = {
  enter: "进入维护模式", leave: "退出维护模式", test_print: "打印测试", test_card: "读卡测试",
  test_camera: "摄像头测试", test_network: "网络测试", outbox_view: "查看待发队列",
  outbox_retry: "重试待发申请", diagnostics_export: "导出诊断包", diagnostics_upload: "上传诊断包",
  restart: "重启",
};
const AUDIT_SHOWN = 10;

/** What the console types becomes JSON when it reads as JSON (3, true, {"port": 9100}). */
export function parseValue(text) {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    return trimmed;
  }
}

function argsText(command) {
  const a = command.args || {};
  if (command.kind === "set") return `${a.key} = ${JSON.stringify(a.value)}`;
  if (command.kind === "technician_code") return `技术员 ${a.technician}`;
  return "";
}

function auditRow(entry) {
  return h("tr", { "data-seq": entry.seq },
    h("td", {}, formatTime(entry.at)),
    h("td", { class: "audit-who" }, entry.who === "technician" ? "备用密码（未记名）" : entry.who),
    h("td", {}, ACTION_WORDS[entry.action] || entry.action),
    h("td", {}, entry.outcome),
    h("td", { class: "muted small mono" }, entry.detail || ""));
}

function historyRow(command) {
  return h("tr", { "data-command": command.id, "data-kind": command.kind, "data-status": command.status },
    h("td", {}, KIND_WORDS[command.kind] || command.kind,
      h("div", { class: "muted small mono" }, argsText(command))),
    h("td", {}, command.issued_by),
    h("td", {}, formatTime(command.issued_at)),
    h("td", {}, h("span", { class: `chip command-status ${command.status}` },
      STATUS_WORDS[command.status] || command.status)),
    h("td", { class: "command-detail small" }, command.detail || ""));
}

/** The panel for one station; ``refresh()`` reloads its history (the fleet page calls it). */
export function commandPanel(stationId, me) {
  const base = `/api/v1/stations/${encodeURIComponent(stationId)}`;
  const error = h("div", { class: "command-error", role: "alert", hidden: true });
  const notice = h("div", { class: "command-notice", role: "status", hidden: true });
  const rows = h("tbody", { class: "command-rows" });
  const auditRows = h("tbody", { class: "audit-rows" });
  const kind = h("select", { class: "command-kind", "aria-label": "指令" },
    KINDS.map(([id, zh]) => h("option", { value: id }, zh)));
  const key = h("select", { class: "command-key", "aria-label": "配置项" },
    KEYS.map(([id, zh]) => h("option", { value: id }, `${zh} · ${id}`)));
  const value = h("input", { class: "command-value", type: "text", "aria-label": "新值", placeholder: "新值，如 ga467 或 90" });
  const setFields = h("span", { class: "command-set", hidden: true }, key, value);
  kind.onchange = () => { setFields.hidden = kind.value !== "set"; };

  function say(element, text) {
    element.textContent = text;
    element.hidden = !text;
  }

  async function send(path, body, done) {
    say(error, "");
    say(notice, "");
    try {
      const answer = await request("POST", path, body);
      say(notice, done(answer));
      await refresh();
    } catch (err) {
      say(error, `已拒绝：${explain(err)}`);
    }
  }

  const issue = h("button", { type: "button", class: "primary command-send" }, "下发指令");
  issue.onclick = () => {
    const body = { kind: kind.value };
    if (kind.value === "set") Object.assign(body, { key: key.value, value: parseValue(value.value) });
    send(`${base}/commands`, body, () => "已排队：终端下次心跳（1 分钟内）领取，在两位群众之间执行。");
  };
  const codeButton = h("button", { type: "button", class: "command-code" }, "申请一次性维护码");
  codeButton.onclick = () => send(`${base}/technician-code`, undefined, (answer) =>
    `本站一次性维护码：${answer.code}（30 分钟内有效，只能使用一次，仅限 ${stationId}）`);
  const pin = h("input", { class: "command-pin", type: "password", inputmode: "numeric", autocomplete: "new-password", "aria-label": "新的备用维护密码", placeholder: "新备用密码（6–12 位数字）" });
  const pinButton = h("button", { type: "button", class: "command-pin-send" }, "更换备用密码");
  pinButton.onclick = () => {
    const body = { pin: pin.value };
    pin.value = "";
    send(`${base}/fallback-pin`, body, () => "已排队：终端领取后旧的备用密码失效。");
  };
  const supervisor = me && (me.role === "supervisor" || me.role === "admin");

  const element = h("div", { class: "command-panel", "data-panel": stationId },
    h("div", { class: "command-menu" }, kind, setFields, issue, codeButton,
      supervisor ? [pin, pinButton] : null),
    error, notice,
    h("table", { class: "command-history" },
      h("thead", {}, h("tr", {}, ["指令", "下发人", "时间", "状态", "结果"].map((t) => h("th", {}, t)))),
      rows),
    h("h3", { class: "command-audit-title" }, "最近的维护记录"),
    h("table", { class: "command-audit" },
      h("thead", {}, h("tr", {}, ["时间", "维护人员", "操作", "结果", "代码"].map((t) => h("th", {}, t)))),
      auditRows));

  async function refresh() {
    try {
      const data = await request("GET", `${base}/commands`);
      rows.replaceChildren(...(data.commands.length
        ? data.commands.map(historyRow)
        : [h("tr", {}, h("td", { colspan: 5, class: "muted" }, "还没有指令"))]));
      const audit = await request("GET", `${base}/technician-audit`);
      const latest = audit.slice(-AUDIT_SHOWN).reverse();
      auditRows.replaceChildren(...(latest.length
        ? latest.map(auditRow)
        : [h("tr", {}, h("td", { colspan: 5, class: "muted" }, "还没有维护记录"))]));
    } catch (err) {
      if (err.status !== 401) say(error, explain(err));
    }
  }
  return { element, refresh };
}
