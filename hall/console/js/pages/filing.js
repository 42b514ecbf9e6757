// One filing at the desk: the form under the labels of the catalog version it was filed with
// (ID numbers masked until "显示", which the hall records), the photographed materials (and the
// documents taken from the enterprise register instead, 来自企业档案), when the
// walk-in confirmed it, who co-filled it, and every part of the bundle with the department that
// holds it. The officer's own parts carry the moves their status allows, each with what it must
// say (a reason, the materials to hand in, how the result is delivered). A move that lost to
// someone else's ("changed by X at T") asks to reload instead of overwriting. How the result goes
// (pick-up, or EMS to an address whose street, recipient and mobile stay masked until "显示",
// recorded like the ID number), and on a ready EMS part the waybill number the officer records.

import { api, request } from "../api.js";
import { explain, formatTime, h, timeLeft, toast } from "../ui.js";
import {
  DELIVERIES, PART_MOVES, REASON_REQUIRED, loadCatalog, moveLabel, partStatusName,
} from "./labels.js";

export async function render(view, ctx) {
  const [id] = ctx.params;
  let data;
  try {
    data = await api.filing(id);
  } catch (err) {
    view.append(
      h("div", { class: "back" }, h("a", { href: "#/inbox" }, "← 返回收件箱")),
      h("div", { class: "card refused", id: "filing-refused", role: "alert" },
        h("h2", {}, err.status === 403 ? "无法查看此办件" : "无法打开此办件"),
        h("p", {}, explain(err))));
    return;
  }
  let catalog = null;
  try {
    catalog = await loadCatalog(api);
  } catch {
    catalog = null; // the 补正 list falls back to the materials the walk-in photographed
  }
  draw(view, ctx, data, catalog);
}

function kb(size) {
  return size >= 1024 * 1024 ? `${(size / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(size / 1024)} KB`;
}

function draw(view, ctx, data, catalog) {
  const redraw = async () => {
    let fresh;
    try {
      fresh = await api.filing(data.submission_id);
    } catch (err) {
      toast(explain(err), "error");
      return;
    }
    view.replaceChildren();
    draw(view, ctx, fresh, catalog);
  };
  const changed = h("div", { class: "card changed", id: "filing-changed", role: "alert", hidden: true });
  const service = catalog && catalog.services.find((s) => s.id === data.service_id);
  const materialChoices = service && service.materials.length
    ? service.materials.map((m) => [m.id, m.name_zh])
    : data.materials.map((m) => [m.id, m.name_zh]);

  function showChanged(err) {
    changed.hidden = false;
    changed.replaceChildren(
      h("strong", {}, err.detail.message_zh),
      h("div", { class: "small muted" }, err.detail.message_en),
      h("button", { type: "button", class: "primary", id: "filing-reload", onclick: redraw },
        "重新加载（Reload）"));
  }

  const co = data.co_filled;
  const materialName = (mid) => {
    const known = materialChoices.find(([k]) => k === mid);
    return known ? known[1] : mid;
  };
  // DOM append writes null as the text "null": leave out what this filing does not have.
  view.append(...[
    h("div", { class: "back" }, h("a", { href: "#/inbox" }, "← 返回收件箱")),
    h("h1", { class: "demand-title" },
      h("span", { class: "mono", id: "filing-number" }, data.tracking_number), " ",
      h("span", {}, data.service_name_zh), " ",
      h("span", { class: `badge ${data.bundle_done ? "part-closed" : ""}`, id: "filing-bundle" },
        data.bundle_done ? "全部办结" : `${data.parts.length} 个部门办理中`)),
    h("p", { class: "sub" }, data.service_name_en),
    data.catalog_version_known ? null : h("p", { class: "card warn", id: "filing-version-unknown" },
      `此办件填报时的目录版本 ${data.catalog_version} 不在大厅，以下按最新版本的标签显示。`),
    changed,
    h("div", { class: "detail-grid" },
      h("section", {},
        h("div", { class: "card" },
          h("h2", {}, "申请表 ", h("span", { class: "muted small" }, "Form")),
          h("dl", { class: "facts wide", id: "filing-form" },
            data.form.map((f) => fieldRow(data, f, service)))),
        data.delivery ? deliveryCard(data) : null,
        h("div", { class: "card" },
          h("h2", {}, "申请材料 ", h("span", { class: "muted small" }, "Materials")),
          data.materials.length
            ? h("div", { class: "material-grid", id: "filing-materials" },
              data.materials.map((m) => m.on_file ? onFileFigure(m)
                : h("figure", { class: "material-image", "data-material": m.id },
                  h("a", { href: m.url, target: "_blank", rel: "noopener" },
                    h("img", { src: m.url, alt: m.name_zh, loading: "lazy" })),
                  h("figcaption", {}, h("strong", {}, m.name_zh),
                    h("div", { class: "small muted" }, `${m.name_en} · ${kb(m.size)}`)))))
            : h("p", { class: "sub", id: "filing-materials" }, "没有拍摄的材料")),
        h("div", { class: "card" },
          h("h2", {}, "办件信息 ", h("span", { class: "muted small" }, "Filing")),
          h("dl", { class: "facts wide", id: "filing-facts" },
            h("dt", {}, "站点"), h("dd", { class: "mono" }, data.station_id),
            h("dt", {}, "收件时间"), h("dd", {}, formatTime(data.received_at)),
            h("dt", {}, "申请人确认提交"), h("dd", { id: "filing-confirmed" }, formatTime(data.confirmed_at) || "—"),
            h("dt", {}, "目录版本"), h("dd", {}, data.catalog_version || "—"),
            h("dt", {}, "帮办代填"),
            h("dd", { id: "filing-co-filled" }, co
              ? [`帮办人员 ${co.helper || "—"} · 远程帮办会话 `, h("span", { class: "mono" }, co.assist_session_id || "—"),
                co.fields && co.fields.length ? h("div", { class: "small muted" },
                  `代填 ${co.fields.length} 项：${co.fields.map((n) => labelOf(data, n)).join("、")}`) : null]
              : "申请人本人填写"))),
      ),
      h("section", {},
        h("div", { class: "card" },
          h("h2", {}, "办件组成 ", h("span", { class: "muted small" }, "Parts of the filing")),
          h("div", { id: "filing-parts" },
            data.parts.map((p) => partCard(data, p, materialChoices, materialName, redraw,
              showChanged)))))),
  ].filter(Boolean));
}

function labelOf(data, name) {
  const field = data.form.find((f) => f.name === name);
  return field ? field.label_zh : name;
}

// A choice shows its words (the value itself after them), from the catalog's form.
function shownValue(f, service) {
  if (f.kind !== "choice" || !f.value || !service) return f.value || "—";
  const field = service.form.fields.find((x) => x.name === f.name);
  const choice = field && (field.choices || []).find((c) => c.value === f.value);
  return choice ? `${choice.label_zh}（${f.value}）` : f.value;
}

// "显示" asks the hall for one masked value; the hall records who looked at what, and when.
function revealButton(data, field, value) {
  const button = h("button", {
    type: "button", class: "reveal", id: `reveal-${field.replace(".", "-")}`,
    onclick: async () => {
      button.disabled = true;
      try {
        const shown = await api.reveal(data.submission_id, field);
        value.textContent = shown.value;
        value.className = "mono";
        button.remove();
      } catch (err) {
        button.disabled = false;
        toast(explain(err), "error");
      }
    },
  }, "显示");
  return button;
}

function deliveryCard(data) {
  const d = data.delivery;
  const masked = (field, label, labelEn, shown) => {
    const value = h("span", { class: "masked mono" }, shown);
    return [
      h("dt", {}, label, h("div", { class: "small muted" }, labelEn)),
      h("dd", { "data-field": field }, value, revealButton(data, field, value)),
    ];
  };
  return h("div", { class: "card", id: "filing-delivery" },
    h("h2", {}, "结果送达 ", h("span", { class: "muted small" }, "Delivery of the result")),
    h("dl", { class: "facts wide" },
      h("dt", {}, "送达方式"),
      h("dd", { id: "delivery-method" }, d.name_zh, h("div", { class: "small muted" }, d.name_en)),
      d.method === "ems" ? [
        h("dt", {}, "寄送地区"), h("dd", { id: "delivery-region" }, d.region),
        masked("delivery.street", "详细地址", "Street", d.street),
        masked("delivery.recipient", "收件人", "Recipient", d.recipient),
        masked("delivery.mobile", "收件人手机", "Recipient's mobile", d.mobile),
      ] : null));
}

function fieldRow(data, f, service) {
  const value = h("span", { class: f.masked ? "masked mono" : "" }, shownValue(f, service));
  const reveal = f.masked ? revealButton(data, f.name, value) : null;
  return [
    h("dt", {}, f.label_zh, h("div", { class: "small muted" }, f.label_en)),
    h("dd", { "data-field": f.name }, value, reveal,
      f.helper_filled ? h("span", { class: "badge helper" }, "帮办代填") : null),
  ];
}

// A document the filing took from the enterprise register (免提交): its image (or a link to the
// PDF) as if photographed, with where it came from and its dates; when the hall holds no file
// of it, a note that the register holds it on paper or elsewhere, never a made-up picture.
function onFileFigure(m) {
  const f = m.on_file;
  const caption = h("figcaption", {}, h("strong", {}, m.name_zh),
    h("div", { class: "small on-file-note" }, f.note_zh),
    h("div", { class: "small muted" }, m.url ? `${m.name_en} · ${kb(m.size)}` : m.name_en));
  if (!m.url) {
    const dates = [f.issued_on ? `签发 ${f.issued_on}` : null,
      f.valid_until ? `有效至 ${f.valid_until}` : "长期有效"].filter(Boolean).join("，");
    return h("figure", { class: "material-image on-file", "data-material": m.id },
      h("div", { class: "on-file-paper" }, "档案存有纸质/电子件",
        h("div", { class: "small muted" }, `${f.kind} · ${dates}`)),
      caption);
  }
  const shown = (m.content_type || "").startsWith("image/")
    ? h("img", { src: m.url, alt: m.name_zh, loading: "lazy" })
    : h("div", { class: "on-file-paper" }, "打开 PDF 文件");
  return h("figure", { class: "material-image on-file", "data-material": m.id },
    h("a", { href: m.url, target: "_blank", rel: "noopener" }, shown), caption);
}

function partCard(data, part, materialChoices, materialName, redraw, showChanged) {
  const left = timeLeft(part);
  const moves = part.mine ? PART_MOVES[part.status] || [] : [];
  const form = h("div", { class: "action-form", hidden: true });
  const events = [...part.events].reverse();
  return h("div", { class: `part${part.mine ? " mine" : ""}`, "data-part": part.part_id },
    h("div", { class: "part-head" },
      h("div", {},
        h("strong", {}, part.name_zh), " ",
        part.mine ? h("span", { class: "badge mine" }, "本部门") : null,
        h("div", { class: "small muted" }, part.name_en)),
      h("span", { class: `badge part-${part.status}`, "data-status": part.status },
        partStatusName(part.status))),
    h("dl", { class: "facts" },
      h("dt", {}, "办理部门"),
      h("dd", { class: "holder" }, part.department_name_zh,
        h("div", { class: "small muted" }, part.department_name_en)),
      h("dt", {}, "办理时限"),
      h("dd", {}, part.due_on || "—", " ", h("span", { class: `badge left ${left.kind}` }, left.text)),
      part.case_number ? [h("dt", {}, "部门案件号"), h("dd", { class: "mono case" }, part.case_number)]
        : null,
      part.steps && part.steps.length ? [h("dt", {}, "步骤"), h("dd", {},
        part.steps.map((s) => h("div", { class: "small" }, `${s.id}：${s.status}`)))] : null,
      part.delivery ? [h("dt", {}, "送达方式"),
        h("dd", { class: "delivery" }, DELIVERIES[part.delivery] || part.delivery)] : null,
      part.waybill ? [h("dt", {}, "EMS运单号"), h("dd", { class: "mono waybill" }, part.waybill)]
        : null),
    waybillForm(data, part, redraw, showChanged),
    moves.length ? h("div", { class: "actions" }, moves.map((to) => h("button", {
      type: "button", "data-move": to, class: to === moves[0] ? "primary" : "",
      onclick: () => {
        form.hidden = false;
        form.replaceChildren(...moveForm(data, part, to, materialChoices, redraw, showChanged));
      },
    }, moveLabel(part.status, to)))) : null,
    form,
    events.length ? h("ol", { class: "history" }, events.map((e) => isWaybill(e) ? h("li", {},
      h("div", {}, h("strong", {}, "登记EMS运单号"), " ",
        h("span", { class: "mono" }, e.reason.slice(WAYBILL_REASON.length))),
      h("div", { class: "when" }, `${formatTime(e.at)} · ${e.actor || "系统"}`)) : h("li", {},
      h("div", {}, h("strong", {}, partStatusName(e.to)),
        e.from ? h("span", { class: "muted" }, ` ← ${partStatusName(e.from)}`) : null),
      h("div", { class: "when" }, `${formatTime(e.at)} · ${e.actor || "系统"}`),
      e.reason ? h("div", { class: "note" }, `理由：${DELIVERIES[e.reason] || e.reason}`) : null,
      e.items && e.items.length ? h("ul", { class: "items" },
        e.items.map((i) => h("li", {}, `${materialName(i.material)}：${i.reason}`))) : null,
      e.note_zh ? h("div", { class: "note" }, `告知申请人：${e.note_zh}`) : null))) : null);
}

// The hall's event row for a recorded waybill (hall.tracking.WAYBILL_REASON): no move.
const WAYBILL_REASON = "waybill:";
const isWaybill = (e) => e.from === "result_ready" && e.to === "result_ready"
  && (e.reason || "").startsWith(WAYBILL_REASON);

// A ready EMS result of the officer's own department: record (or correct) the waybill; the hall
// checks the number (13 digits, or the international form with its check digit) and texts it.
function waybillForm(data, part, redraw, showChanged) {
  if (!part.mine || part.status !== "result_ready" || part.delivery !== "ems") return null;
  const input = h("input", {
    class: "waybill-input mono", maxlength: 20, value: part.waybill || "",
    placeholder: "如 1180123456789 或 EA123456785CN", autocomplete: "off",
  });
  const error = h("p", { class: "error waybill-error", role: "alert" });
  const go = h("button", { type: "button", class: "primary waybill-submit" },
    part.waybill ? "更正运单号" : "登记运单号");
  go.addEventListener("click", async () => {
    error.textContent = "";
    go.disabled = true;
    try {
      const path = `/api/v1/desk/parts/${encodeURIComponent(data.submission_id)}/`
        + `${encodeURIComponent(part.part_id)}/waybill`;
      const saved = await request("POST", path, { waybill: input.value, version: part.version });
      toast(`已登记EMS运单号 ${saved.waybill}`);
      await redraw();
    } catch (err) {
      if (err.status === 409 && err.detail && err.detail.code === "changed") showChanged(err);
      error.textContent = explain(err);
      go.disabled = false;
    }
  });
  return h("div", { class: "waybill-form" },
    h("label", {}, "EMS运单号（寄出后登记，系统将短信告知申请人）"),
    h("div", { class: "row" }, input, go), error);
}

function moveForm(data, part, to, materialChoices, redraw, showChanged) {
  const fields = [];
  const collect = [];
  const error = h("p", { class: "error move-error", role: "alert" });
  if (to === "needs_more") {
    const list = h("div", { class: "items-list" });
    const addItem = () => {
      const material = h("select", { class: "item-material" },
        h("option", { value: "" }, "请选择材料"),
        materialChoices.map(([mid, name]) => h("option", { value: mid }, name)));
      const why = h("input", { class: "item-reason grow", placeholder: "需补正的原因，如：照片不清晰" });
      list.append(h("div", { class: "row item" }, material, why));
    };
    addItem();
    fields.push(h("div", { class: "field" },
      h("label", {}, "需补正的材料（每项写明原因）"), list,
      h("button", { type: "button", class: "link add-item", onclick: addItem }, "＋ 再加一项")));
    collect.push((body) => {
      body.items = [...list.querySelectorAll(".item")].map((row) => ({
        material: row.querySelector(".item-material").value,
        reason: row.querySelector(".item-reason").value.trim(),
      })).filter((i) => i.material || i.reason);
    });
  }
  if (to === "result_ready") {
    // The walk-in's choice at the kiosk comes first; the officer may still choose the other.
    const delivery = h("select", { class: "move-delivery" },
      Object.entries(DELIVERIES).map(([k, v]) => h("option",
        { value: k, selected: k === part.delivery },
        k === part.delivery ? `${v}（申请人选择）` : v)));
    fields.push(h("div", { class: "field" }, h("label", {}, "结果送达方式"), delivery));
    collect.push((body) => { body.delivery = delivery.value; });
  }
  const required = REASON_REQUIRED.includes(to);
  const reason = h("textarea", { class: "move-reason", maxlength: 2000 });
  fields.push(h("div", { class: "field" },
    h("label", {}, required ? "理由（必填，记入办件记录）" : "内部备注（可选）"), reason));
  const noteZh = h("input", { class: "move-note-zh grow", maxlength: 2000 });
  const noteEn = h("input", { class: "move-note-en grow", maxlength: 2000 });
  fields.push(h("div", { class: "field" },
    h("label", {}, "告知申请人（将显示在进度查询页，可选）"), noteZh,
    h("label", { class: "small muted" }, "English note for the applicant (optional)"), noteEn));
  collect.push((body) => {
    body.reason = reason.value;
    if (noteZh.value.trim()) body.note_zh = noteZh.value.trim();
    if (noteEn.value.trim()) body.note_en = noteEn.value.trim();
  });
  const go = h("button", { type: "button", class: "primary move-submit" },
    `确认${moveLabel(part.status, to)}`);
  go.addEventListener("click", async () => {
    const body = { to, version: part.version };
    for (const fn of collect) fn(body);
    error.textContent = "";
    go.disabled = true;
    try {
      const moved = await api.move(data.submission_id, part.part_id, body);
      toast(`已${moveLabel(part.status, to)}：${part.name_zh} → ${partStatusName(moved.status)}`);
      await redraw();
    } catch (err) {
      if (err.status === 409 && err.detail && err.detail.code === "changed") showChanged(err);
      error.textContent = explain(err);
      go.disabled = false;
    }
  });
  return [...fields, error, go];
}
