// 终端登记 (devices): make a one-time enrolment code for a station and see / revoke the enrolled
// terminals. The code is shown once, on this page only: the hall keeps just its hash. Making
// codes and revoking need the supervisor role (the hall answers 403 otherwise).

import { request } from "../api.js";
import { explain, formatTime, h, toast } from "../ui.js";

const STATION = /^[A-Za-z0-9_-]{1,32}$/;

export async function render(view, { me }) {
  const supervisor = me && me.role === "supervisor";
  const stationInput = h("input", { id: "enrol-station", placeholder: "如 SND-SS-001", required: true, maxlength: 32 });
  const nameInput = h("input", { id: "enrol-name", placeholder: "如 狮山街道站", maxlength: 128 });
  const submit = h("button", { type: "submit", class: "primary", id: "enrol-create", disabled: !supervisor }, "生成登记码");
  const result = h("div", { id: "enrol-result", "aria-live": "polite" });
  const body = h("tbody", { id: "device-rows" });

  const form = h("form", { class: "row", id: "enrol-form" },
    h("div", { class: "field" }, h("label", { for: "enrol-station" }, "站点编号"), stationInput),
    h("div", { class: "field" }, h("label", { for: "enrol-name" }, "站点名称"), nameInput),
    h("div", { class: "field" }, submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const stationId = stationInput.value.trim();
    if (!STATION.test(stationId)) {
      toast("站点编号只能包含字母、数字、- 和 _（最多 32 位）", "error");
      return;
    }
    submit.disabled = true;
    try {
      const issued = await request("POST", "/api/v1/enrolment/codes",
        { station_id: stationId, station_name: nameInput.value.trim() });
      result.replaceChildren(h("div", { class: "card" },
        h("div", {}, `站点 ${issued.station_id} 的登记码（只显示这一次）：`),
        h("div", { class: "mono enrol-code", id: "enrol-code" }, issued.code),
        h("div", { class: "sub" }, `有效期至 ${formatTime(issued.expires_at)}，只能使用一次。请当面或电话告知到场技术员，在终端上输入。`)));
    } catch (err) {
      toast(explain(err), "error");
    } finally {
      submit.disabled = !supervisor;
    }
  });

  view.append(
    h("h1", {}, "终端登记"),
    h("p", { class: "sub" }, "新终端首次开机时输入一次性登记码，即与本大厅绑定；被吊销的终端从下一次请求起被拒绝。"),
    h("div", { class: "card" },
      h("h2", {}, "生成登记码"),
      supervisor ? null : h("p", { class: "sub" }, "生成登记码和吊销终端需要主管权限。"),
      form, result),
    h("div", { class: "card table-card" },
      h("table", { id: "device-table" },
        h("thead", {}, h("tr", {},
          ["站点", "终端编号", "密钥指纹", "登记时间", "状态", ""].map((t) => h("th", {}, t)))),
        body)),
  );

  async function refresh() {
    let devices;
    try {
      devices = await request("GET", "/api/v1/enrolment/devices");
    } catch (err) {
      if (err.status !== 401) toast(explain(err), "error");
      return;
    }
    body.replaceChildren(...(devices.length ? devices.map(row)
      : [h("tr", {}, h("td", { class: "empty", colspan: 6 }, "还没有登记的终端"))]));
  }

  function row(d) {
    const revoke = supervisor && !d.revoked_at
      ? h("button", {
        type: "button",
        "data-device": d.device_id,
        class: "revoke",
        onclick: async () => {
          if (!window.confirm(`确定吊销终端 ${d.device_id}（站点 ${d.station_id}）？吊销后该终端需重新登记。`)) return;
          try {
            await request("POST", `/api/v1/enrolment/devices/${encodeURIComponent(d.device_id)}/revoke`);
            toast(`已吊销终端 ${d.device_id}`);
          } catch (err) {
            toast(explain(err), "error");
          }
          await refresh();
        },
      }, "吊销")
      : null;
    return h("tr", { "data-device": d.device_id },
      h("td", {}, d.station_name && d.station_name !== d.station_id ? `${d.station_name}（${d.station_id}）` : d.station_id),
      h("td", { class: "mono" }, d.device_id),
      h("td", { class: "mono" }, d.key_fingerprint),
      h("td", {}, formatTime(d.enrolled_at)),
      h("td", {}, d.revoked_at
        ? h("span", { class: "badge overdue" }, `已吊销 ${formatTime(d.revoked_at)}`)
        : h("span", { class: "badge state-confirmed" }, "使用中")),
      h("td", {}, revoke));
  }

  await refresh();
}
