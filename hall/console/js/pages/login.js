// Login: name and password; the hall sets an HttpOnly session cookie the page never sees.

import { api } from "../api.js";
import { h } from "../ui.js";

export async function render(view, { onLoggedIn }) {
  const name = h("input", { id: "login-name", name: "name", autocomplete: "username", required: true });
  const password = h("input", {
    id: "login-password", name: "password", type: "password",
    autocomplete: "current-password", required: true,
  });
  const error = h("p", { class: "error", id: "login-error", role: "alert" });
  const submit = h("button", { class: "primary", type: "submit", id: "login-submit" }, "登录");
  const form = h("form", { class: "card login", id: "login-form" },
    h("h1", {}, "工作人员登录"),
    h("p", { class: "sub" }, "Staff login"),
    h("div", { class: "field" }, h("label", { for: "login-name" }, "账号"), name),
    h("div", { class: "field" }, h("label", { for: "login-password" }, "密码"), password),
    error,
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    submit.disabled = true;
    try {
      const me = await api.login(name.value.trim(), password.value);
      password.value = "";
      await onLoggedIn(me);
    } catch (err) {
      error.textContent = err.status === 401 ? "账号或密码不正确"
        : err.status === 429 ? "错误次数过多，请稍后再试"
        : "无法登录，请检查网络";
    } finally {
      submit.disabled = false;
    }
  });
  view.append(form);
  name.focus();
}
