// 政策推送 (policy push, 免申即享): the policies the hall matched against the enterprise register
// when they were published (GET /api/v1/policy-push), each with how many enterprises qualify; a
// policy's eligible enterprises (name and USCC only: nothing about people) and a confirm for all
// or the ticked ones (POST …/confirm). A confirmed push is texted once to the enterprise's
// number on file, with a link to the policy, and shows in its e-archive and at the kiosk.

import { request } from "../api.js";
import { explain, formatTime, h, toast } from "../ui.js";

const PAGE = 100;

export async function render(view, { me } = {}) {
  const body = h("tbody", { id: "push-policies" });
  const detail = h("div", { id: "push-detail" });
  const reload = h("button", { type: "button", id: "push-reload" }, "刷新");
  // Admins: the register changed (an import, desk approvals) or the hall is new: match the
  // published policies against the enterprises added or changed since (POST …/match).
  const rematch = h("button", { type: "button", class: "primary", id: "push-rematch",
    hidden: !(me && me.role === "admin") }, "按最新企业档案比对");
  view.append(
    h("h1", {}, "政策推送"),
    h("p", { class: "sub" }, "政策发布后，大厅按企业档案逐条比对，列出符合条件的企业。确认后向企业发送短信（含政策链接），并在企业电子档案和自助终端显示。同一企业同一政策版本只推送一次。企业档案导入或变更后，管理员可按最新档案再比对一次。"),
    h("div", { class: "row" }, reload, rematch),
    h("div", { class: "card table-card" },
      h("table", { id: "push-table" },
        h("thead", {}, h("tr", {},
          ["政策", "版本", "符合条件", "待确认", "已推送", "比对时间", ""].map((t) => h("th", {}, t)))),
        body)),
    detail,
  );
  reload.addEventListener("click", refresh);
  rematch.addEventListener("click", async () => {
    rematch.disabled = true;
    try {
      const done = await request("POST", "/api/v1/policy-push/match");
      const withdrawn = done.register_withdrawn ? `，已不符合条件而撤回 ${done.register_withdrawn} 家次` : "";
      toast(`比对完成：新增待确认 ${done.pushes + done.register_pushes} 家次（新增或变更的企业 ${done.register_enterprises} 家）${withdrawn}`);
      await refresh();
    } catch (err) {
      if (err.status !== 401) toast(explain(err), "error");
    } finally {
      rematch.disabled = false;
    }
  });

  async function refresh() {
    let doc;
    try {
      doc = await request("GET", "/api/v1/policy-push");
    } catch (err) {
      if (err.status !== 401) toast(explain(err), "error");
      return;
    }
    body.replaceChildren(...(doc.items.length ? doc.items.map(row)
      : [h("tr", {}, h("td", { class: "empty", colspan: 7 }, "还没有比对过的政策"))]));
  }

  function row(p) {
    const open = h("button", { type: "button", class: "push-open" }, "查看企业");
    open.addEventListener("click", () => showPolicy(p.version, p.policy_id, 0));
    return h("tr", { "data-policy": p.policy_id },
      h("td", {}, p.title_zh),
      h("td", { class: "mono" }, p.version),
      h("td", {}, String(p.eligible)),
      h("td", { class: "push-pending" }, String(p.pending)),
      h("td", {}, String(p.confirmed)),
      h("td", {}, formatTime(p.matched_at)),
      h("td", {}, open));
  }

  async function showPolicy(version, policyId, offset) {
    const path = `/api/v1/policy-push/${encodeURIComponent(version)}/${encodeURIComponent(policyId)}`;
    let doc;
    try {
      doc = await request("GET", `${path}?state=pending&limit=${PAGE}&offset=${offset}`);
    } catch (err) {
      if (err.status !== 401) toast(explain(err), "error");
      return;
    }
    const ticks = doc.items.map((e) => h("input", { type: "checkbox", value: e.enterprise_id }));
    const all = h("button", { type: "button", id: "push-confirm-all" }, `全部确认推送（${doc.total} 家）`);
    const some = h("button", { type: "button", id: "push-confirm-selected" }, "确认推送所选企业");
    const more = doc.total > offset + PAGE
      ? h("button", { type: "button" }, "下一页") : null;
    if (more) more.addEventListener("click", () => showPolicy(version, policyId, offset + PAGE));
    all.addEventListener("click", () => confirm(null));
    some.addEventListener("click", () => {
      const ids = ticks.filter((t) => t.checked).map((t) => t.value);
      if (!ids.length) { toast("请先勾选企业", "error"); return; }
      confirm(ids);
    });
    detail.replaceChildren(h("div", { class: "card" },
      h("h2", {}, doc.policy.title_zh),
      h("p", { class: "sub" }, `${doc.policy.issuer_zh || ""} · ${doc.policy.benefit_zh || ""} · 申报截止 ${doc.policy.closes || ""}`),
      h("div", { class: "row" }, all, some),
      h("table", { id: "push-enterprises" },
        h("thead", {}, h("tr", {}, ["", "企业名称", "统一社会信用代码"].map((t) => h("th", {}, t)))),
        h("tbody", {}, ...(doc.items.length
          ? doc.items.map((e, i) => h("tr", {}, h("td", {}, ticks[i]), h("td", {}, e.name), h("td", { class: "mono" }, e.uscc || "—")))
          : [h("tr", {}, h("td", { class: "empty", colspan: 3 }, "没有待确认的企业"))]))),
      more || ""));

    async function confirm(ids) {
      let done;
      try {
        done = await request("POST", `${path}/confirm`, { enterprise_ids: ids });
      } catch (err) {
        if (err.status !== 401) toast(explain(err), "error");
        return;
      }
      toast(`已推送 ${done.confirmed} 家企业，发送短信 ${done.texted} 条` +
        (done.no_mobile ? `，${done.no_mobile} 家无手机号` : ""));
      await refresh();
      await showPolicy(version, policyId, 0);
    }
  }

  await refresh();
}
