// 内容发布 (content): the kiosk's content kept in workbooks, one tab per kind (the services
// catalog, the Q&A knowledge base, the demand taxonomy, the holiday calendar, the policies). Download the
// published version, edit it in a spreadsheet, upload it: every problem is listed by sheet, row
// and column; when there are none, the differences from the published version are shown and 发布
// publishes it. The version list rolls back to any earlier version (published again as the
// newest). Admin only (hall.content_routes); the hall checks the workbook again on publish.
// A checked services workbook can be previewed: the hall draws a chosen service with the
// kiosk's own screens (hall.content_preview) in Chinese, English and care mode.

import { request } from "../api.js";
import { explain, formatTime, h, toast } from "../ui.js";

// Each kind: its routes, what the page calls it and its items (for the diff).
const KINDS = {
  services: { title: "事项目录", item: "事项", file: "services" },
  knowledge: { title: "问答知识库", item: "问答", file: "knowledge" },
  demand_taxonomy: { title: "诉求分类", item: "诉求类别", file: "demand_taxonomy" },
  holidays: { title: "节假日", item: "日期", file: "holidays" },
  policies: { title: "惠企政策", item: "政策", file: "policies" },
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
  title_zh: "中文标题", title_en: "英文标题", issuer_zh: "中文发文单位", issuer_en: "英文发文单位",
  benefit_zh: "中文扶持内容", benefit_en: "英文扶持内容", max_amount_wan: "最高金额",
  opens: "开始申报", closes: "截止日期", link: "政策链接", all: "申报条件", any: "申报条件（任一）",
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
    h("div", { class: "field" }, h("label", { for: "content-file" }, `${kind.title}工作簿（.xlsx）`), fileInput),
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
      if (key === "services") result.append(previewCard(file, data));
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
  if (d.vocabulary_changed) items.push(h("li", {}, "资质或注册地表有修改"));
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

// The kiosk's screens for one service of the checked workbook, as the hall's renderer draws them.
const PREVIEW_MODES = { zh: "中文", en: "English", care: "关怀版" };
const PREVIEW_SCREENS = { home: "首页", form: "填写表单", review: "核对信息", form_errors: "表单（示例答案未通过）" };

function previewCard(file, data) {
  const list = data.service_list || [];
  const changed = new Set([...data.diff.added, ...data.diff.changed].map((s) => s.id));
  const first = list.find((s) => changed.has(s.id)) || list[0];
  const select = h("select", { id: "preview-service" }, list.map((s) => h("option", {
    value: s.id, selected: first !== undefined && s.id === first.id,
  }, changed.has(s.id) ? `${s.name_zh}（${s.id}，本次新增或修改）` : `${s.name_zh}（${s.id}）`)));
  const button = h("button", { type: "button", id: "preview-run" }, "预览终端界面");
  const out = h("div", { id: "preview-result", "aria-live": "polite" });
  button.addEventListener("click", async () => {
    button.disabled = true;
    out.replaceChildren(h("p", { class: "sub", id: "preview-busy" }, "正在生成预览，约需 10–30 秒……"));
    try {
      const { status, data: answer } = await upload(`/api/v1/content/services/preview/${encodeURIComponent(select.value)}`, file);
      if (status === 200 && answer) {
        out.replaceChildren(previewImages(answer.images));
      } else {
        const why = answer && typeof answer.detail === "string" ? answer.detail : `服务大厅返回错误（HTTP ${status}）`;
        out.replaceChildren(h("p", { class: "preview-note", id: "preview-unavailable" }, why));
      }
    } catch (err) {
      out.replaceChildren(h("p", { class: "preview-note", id: "preview-unavailable" }, explain(err)));
    } finally {
      button.disabled = false;
    }
  });
  return h("div", { class: "card", id: "content-preview" },
    h("h2", {}, "终端界面预览"),
    h("p", { class: "sub" }, "用终端自己的界面程序绘制所选事项（尚未发布的工作簿也可预览）；画面中的申请人是读卡器模拟的示例身份证，答案为示例。"),
    h("form", { class: "row", onsubmit: (event) => event.preventDefault() },
      h("div", { class: "field" }, h("label", { for: "preview-service" }, "事项"), select),
      h("div", { class: "field" }, button)),
    out);
}

function previewImages(images) {
  const panel = h("div", { class: "preview-shots", id: "preview-shots" });
  const show = (mode) => {
    for (const b of tabs.querySelectorAll("button")) b.classList.toggle("active", b.dataset.mode === mode);
    panel.replaceChildren(...images.filter((i) => i.mode === mode).map((i) => {
      const [screen, page] = i.screen.split(/_(?=\d+$)/);
      const title = (PREVIEW_SCREENS[screen] || screen) + (page ? ` ${page}` : "");
      return h("figure", { class: "preview-shot" },
        h("img", { src: `data:image/png;base64,${i.png}`, alt: `${PREVIEW_MODES[mode]}：${title}`, "data-screen": i.screen }),
        h("figcaption", {}, title));
    }));
  };
  const modes = Object.keys(PREVIEW_MODES).filter((m) => images.some((i) => i.mode === m));
  const tabs = h("div", { class: "tabs", id: "preview-modes", role: "tablist" }, modes.map((m) => h("button", {
    type: "button", role: "tab", class: "tab", "data-mode": m, onclick: () => show(m),
  }, PREVIEW_MODES[m])));
  if (modes.length) show(modes[0]);
  return h("div", {}, tabs, panel);
}
