// Names for ids the API returns, from /api/v1/demands/meta (loaded once after login).

export const ACTION_LABELS = {
  classify: "分类",
  dispatch: "交办部门",
  return: "退回重新交办",
  accept: "开始办理",
  reply: "答复企业",
  confirm: "企业确认并评价",
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
