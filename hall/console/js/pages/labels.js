// Names for ids the API returns, from /api/v1/demands/meta (loaded once after login).

export const ACTION_LABELS = {
  classify: "分类",
  dispatch: "交办部门",
  return: "退回重新交办",
  accept: "开始办理",
  reply: "答复企业",
  confirm: "企业确认",
  reopen: "企业不满意，重办",
};

export function categoryName(meta, id, sub) {
  const cat = meta.categories.find((c) => c.id === id);
  if (!cat) return id;
  const child = sub ? cat.children.find((c) => c.id === sub) : null;
  return child ? `${cat.name_zh} / ${child.name_zh}` : cat.name_zh;
}

export function departmentName(meta, id) {
  if (!id) return "—";
  const dep = meta.departments.find((d) => d.id === id);
  return dep ? dep.name_zh : id;
}

export function stateName(meta, id) {
  return meta.states[id] ? meta.states[id].zh : id;
}

// --- the filings desk (issue 15) -------------------------------------------------------------

// A part's statuses, as hall.part_model names them: [zh, en].
export const PART_STATUS = {
  received: ["待受理", "Received"],
  accepted: ["已受理", "Accepted"],
  not_accepted: ["不予受理", "Not accepted"],
  in_review: ["审查中", "In review"],
  needs_more: ["待补正", "Needs more material"],
  approved: ["准予许可", "Approved"],
  refused: ["不予许可", "Refused"],
  result_ready: ["结果待领取", "Result ready"],
  closed: ["已办结", "Closed"],
};

export function partStatusName(id) {
  return PART_STATUS[id] ? PART_STATUS[id][0] : id;
}

// Where a part may go from each status (hall.part_model.MOVES; the hall refuses the rest), in
// the order the buttons show: the step forward first.
export const PART_MOVES = {
  received: ["accepted", "not_accepted"],
  accepted: ["in_review"],
  in_review: ["approved", "needs_more", "refused"],
  needs_more: ["in_review"],
  approved: ["result_ready"],
  result_ready: ["closed"],
};

// The button for a move, by where it goes (and, for in_review, where it comes from).
export function moveLabel(from, to) {
  if (to === "in_review") return from === "needs_more" ? "材料已补齐，继续审查" : "开始审查";
  return {
    accepted: "受理",
    not_accepted: "不予受理",
    needs_more: "要求补正",
    approved: "准予许可",
    refused: "不予许可",
    result_ready: "结果已出",
    closed: "办结",
  }[to] || to;
}

// Moves that must carry a reason (hall.part_model.REASON_REQUIRED).
export const REASON_REQUIRED = ["not_accepted", "refused"];

// The inbox's tabs: [id, zh, en].
export const INBOX_TABS = [
  ["waiting", "待受理", "Waiting"],
  ["in_progress", "办理中", "In progress"],
  ["needs_more", "待补正", "Needs more"],
  ["overdue", "已逾期", "Overdue"],
  ["done", "已办结", "Done"],
];

export const BOOKING_STATES = {
  requested: ["待确认", "Requested"],
  confirmed: ["已确认", "Confirmed"],
  cancelled: ["已取消", "Cancelled"],
};

export const PERIODS = { am: "上午", pm: "下午" };

export const DELIVERIES = { pickup: "站点领取", ems: "EMS 邮寄" };

// The published catalog (public at the hall, loaded once): service and department names for the
// desk's filters, and each service's materials for a 补正 list.
let catalogLoad = null;

export function loadCatalog(api) {
  if (!catalogLoad) {
    catalogLoad = api.catalog().catch((err) => { catalogLoad = null; throw err; });
  }
  return catalogLoad;
}

export function catalogDepartmentName(catalog, id) {
  const dep = catalog && catalog.departments.find((d) => d.id === id);
  return dep ? dep.name_zh : id;
}
