// 内容发布 (content): the kiosk's content kept in workbooks, one tab per kind (the services
// catalog, the Q&A knowledge base, the demand taxonomy, the holiday calendar). Download the
// published version, edit it in a spreadsheet, upload it: every problem is listed by sheet, row
// and column; when there are none, the differences from the published version are shown and 发布
// publishes it. The version list rolls back to any earlier version (published again as the
// newest). Admin only (hall.content_routes); the hall checks the workbook again on publish.

import { request } from "../api.js";
import { explain, formatTime, h, toast } from "../ui.js";

// Each kind: its routes, what the page calls it and its items (for the diff).
const KINDS = {
  services: { title: "事项目录", item: "事项", file: "services" },
  knowledge: { title: "问答知识库", item: "问答", file: "knowledge" },
  demand_taxonomy: { title: "诉求分类", item: "诉求类别", file: "demand_taxonomy" },
  holidays: { title: "节假日", item: "日期", file: "holidays" },
};
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const FIELD_NAMES = {
  name_zh: "中文名称", name_en: "英文名称", department: "主办部门", category: "分类",
  requires_identity: "需读身份证", time_limit_days: "承诺时限", result_document: "出具证照",
  summary_zh: "中文简介", summary_en: "英文简介", eligibility_zh: "中文办理条件",
  eligibility_en: "英文办理条件", fees_zh: "中文收费", fees_en: "英文收费",
  materials: "材料", form: "表单字段", parts: "办理部分/步骤",
  question: "问题", answer: "答案", keywords: "关键词", topic: "主题",
  deadline_working_days: "答复时限", handler_zh: "中文承办部门", handler_en: "英文承办部门",
  children: "二级类别", kind: "类型",
};

async function upload(path, file) {
  // The workbook is the body as it is (no multipart): the hall streams it within its limit.
  const response = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { Accept: "application/json", "Content-Type": XLSX },
    body: file,
  });
  const data = await response.json().catch(() => null);
  return { status: response.status, data };
}

export async function render(view) {
  const body = h("div", { id: "content-kind-body" });
  const tabs = h("div", { class: "row", id: "content-kinds", role: "tablist" },
    Object.entries(KINDS).map(([key, kind]) => h("button", {
      type: "button",
      role: "tab",
      "data-kind": key,
      class: key === "services" ? "primary" : "",
      onclick: async (event) => {
        for (const b of tabs.querySelectorAll("button")) b.className = b === event.currentTarget ? "primary" : "";
        body.replaceChildren();
        await renderKind(body, key);
      },
    }, kind.title)));
  view.append(
    h("h1", {}, "内容发布"),
    h("p", { class: "sub" },
      "下载当前工作簿，在表格软件中修改后上传：所有问题按工作表、行、列列出，全部改正后显示与已发布版本的差异，确认后发布。每个版本都经大厅内容密钥签名，终端验证后使用。"),
    tabs, body);
  await renderKind(body, "services");
}

async function renderKind(view, key) {
  const kind = KINDS[key];
  const BASE = `/api/v1/content/${key}`;
  const fileInput = h("input", { type: "file", id: "content-file", accept: ".xlsx," + XLSX });
  const checkButton = h("button", { type: "submit", class: "primary", id: "content-check" }, "上传并检查");
  const publishButton = h("button", { type: "button", class: "primary", id: "content-publish", hidden: true }, "发布此版本");
  const result = h("div", { id: "content-result", "aria-live": "polite" });
  const versionRows = h("tbody", { id: "content-versions" });
  let checkedFile = null;

  const form = h("form", { class: "row", id: "content-form" },
    h("div", { class: "field grow" }, h("label", { for: "content-file" }, `${kind.title}工作簿（.xlsx）`), fileInput),
    h("div", { class: "field" }, checkButton),
    h("div", { class: "field" }, publishButton));

  fileInput.addEventListener("change", () => {
    checkedFile = null;
    publishButton.hidden = true;
    result.replaceChildren();
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = fileInput.files && fileInput.files[0];
    if (!file) {
      toast("请先选择工作簿文件", "error");
      return;
    }
    checkButton.disabled = true;
    publishButton.hidden = true;
    try {
      const { status, data } = await upload(`${BASE}/check`, file);
      if (status !== 200 || !data) {
        toast(status === 413 ? "文件太大，大厅不接收" : `服务大厅返回错误（HTTP ${status}）`, "error");
        return;
      }
      if (!data.ok) {
        result.replaceChildren(errorTable(data));
        return;
      }
      checkedFile = file;
      result.replaceChildren(diffCard(data, kind));
      publishButton.hidden = data.diff.no_changes;
    } catch (err) {
      toast(explain(err), "error");
    } finally {
      checkButton.disabled = false;
    }
  });

  publishButton.addEventListener("click", async () => {
    if (!checkedFile) return;
    publishButton.disabled = true;
    try {
      const { status, data } = await upload(`${BASE}/publish`, checkedFile);
      if (status === 422 && data && data.detail && data.detail.errors) {
        result.replaceChildren(errorTable(data.detail));
        publishButton.hidden = true;
        return;
      }
      if (status !== 201 && status !== 200) {
        toast(`发布失败（HTTP ${status}）`, "error");
        return;
      }
      publishButton.hidden = true;
      checkedFile = null;
      const words = data.outcome === "published" ? `已发布新版本 ${data.version}，终端下次同步时更新` : "与已发布版本相同，未发布";
      // The version list first: when the message shows, the list already names the new version.
      await refreshVersions();
      result.replaceChildren(h("div", { class: "card", id: "content-published" }, words));
      toast(words);
    } finally {
      publishButton.disabled = false;
    }
  });

  view.append(
    h("div", { class: "card", "data-kind": key },
      h("p", {},
        h("a", { href: `${BASE}/workbook`, id: "content-download", download: `${kind.file}.xlsx` }, `下载当前${kind.title}工作簿`),
        h("span", { class: "sub" }, "　工作簿格式说明见 docs/content.md")),
      form, result),
    h("div", { class: "card table-card" },
      h("h2", {}, "版本记录"),
      h("table", { id: "content-version-table" },
        h("thead", {}, h("tr", {},
          ["版本", "发布时间", "发布人", "状态", ""].map((t) => h("th", {}, t)))),
        versionRows)),
  );

  async function refreshVersions() {
    let versions;
    try {
      versions = await request("GET", `${BASE}/versions`);
    } catch (err) {
      if (err.status !== 401) toast(explain(err), "error");
      return;
    }
    versionRows.replaceChildren(...versions.map(versionRow));
  }

  function versionRow(v) {
    const back = v.current ? null : h("button", {
      type: "button",
      class: "rollback",
      "data-version": v.version,
      onclick: async () => {
        if (!window.confirm(`确定回滚到版本 ${v.version}？其内容将作为新版本发布。`)) return;
        try {
          const done = await request("POST", `${BASE}/rollback`, { version: v.version });
          toast(`已回滚到 ${v.version}，发布为新版本 ${done.version}`);
        } catch (err) {
          toast(explain(err), "error");
        }
        await refreshVersions();
      },
    }, "回滚到此版本");
    return h("tr", { "data-version": v.version },
      h("td", { class: "mono" }, v.version),
      h("td", {}, formatTime(v.published_at)),
      h("td", {}, v.published_by === "system" ? "系统（出厂样例）" : v.published_by),
      h("td", {}, v.current ? h("span", { class: "badge state-confirmed" }, "当前版本") : ""),
      h("td", {},
        h("a", { href: `${BASE}/versions/${encodeURIComponent(v.version)}/workbook`, download: `${kind.file}-${v.version}.xlsx` }, "下载"),
        " ", back));
  }

  await refreshVersions();
}

function errorTable(report) {
  const more = report.total > report.errors.length ? `（仅列出前 ${report.errors.length} 个）` : "";
  return h("div", { class: "card", id: "content-errors" },
    h("h2", {}, `发现 ${report.total} 个问题，改正后重新上传${more}`),
    h("table", { id: "content-error-table" },
      h("thead", {}, h("tr", {}, ["工作表", "行", "列", "列标题", "问题"].map((t) => h("th", {}, t)))),
      h("tbody", {}, report.errors.map((e) => h("tr", { class: "content-error" },
        h("td", {}, e.sheet || "—"),
        h("td", { class: "mono" }, e.row === null ? "—" : String(e.row)),
        h("td", { class: "mono" }, e.column || "—"),
        h("td", {}, e.header || "—"),
        h("td", {}, e.reason))))));
}

function diffCard(data, kind) {
  const d = data.diff;
  const noun = kind.item;
  if (d.no_changes) {
    return h("div", { class: "card", id: "content-diff" },
      h("h2", {}, "没有变化"),
      h("p", { class: "sub" }, `工作簿与已发布版本 ${data.published} 相同，无需发布。`));
  }
  const items = [];
  const named = (s) => (s.name_zh.startsWith(s.id) ? s.name_zh : `${s.name_zh}（${s.id}）`);
  for (const s of d.added) items.push(h("li", { class: "diff-added" }, `新增${noun}：${named(s)}`));
  for (const s of d.removed) items.push(h("li", { class: "diff-removed" }, `删除${noun}：${named(s)}`));
  for (const s of d.changed) {
    const fields = s.fields.map((f) => FIELD_NAMES[f] || f).join("、");
    items.push(h("li", { class: "diff-changed" }, `修改${noun}：${named(s)}——${fields}`));
  }
  if (d.synonyms_changed) items.push(h("li", {}, "同义词表有修改"));
  if (d.departments_changed) items.push(h("li", {}, "部门表有修改"));
  if (d.demand_routes_changed) items.push(h("li", {}, "诉求路由有修改"));
  if (d.categories_changed) items.push(h("li", {}, "分类表有修改"));
  if (d.order_changed && !d.added.length && !d.removed.length) items.push(h("li", {}, `${noun}顺序有调整`));
  const count = data.services === undefined ? "" : `共 ${data.services} 个事项。`;
  return h("div", { class: "card", id: "content-diff" },
    h("h2", {}, `检查通过：与已发布版本 ${data.published} 相比`),
    h("p", { class: "sub" }, `${count}确认无误后点“发布此版本”。`),
    h("ul", {}, items));
}
