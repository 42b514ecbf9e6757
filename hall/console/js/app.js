// The console shell: who is logged in, the navigation, and a hash router that hands the view to
// one page module at a time. A new section (the remote-assist queue) adds a module to SECTIONS
// and a link in index.html; nothing else changes.

import { api, setUnauthorizedHandler } from "./api.js";
import { hideToast } from "./ui.js";
import * as login from "./pages/login.js";
import * as demands from "./pages/demands.js";
import * as demand from "./pages/demand.js";
import * as stats from "./pages/stats.js";
import * as assistQueue from "./pages/assist_queue.js";
import * as assistSession from "./pages/assist_session.js";
import * as fleet from "./pages/fleet.js";
import * as devices from "./pages/devices.js";

// route pattern -> [section for the nav highlight, page module]
const SECTIONS = [
  [/^#\/demands\/([^/]+)$/, "demands", demand],
  [/^#\/demands\/?$/, "demands", demands],
  [/^#\/stats\/?$/, "stats", stats],
  [/^#\/assist\/([^/]+)$/, "assist", assistSession],
  [/^#\/assist\/?$/, "assist", assistQueue],
  [/^#\/fleet\/?$/, "fleet", fleet],
  [/^#\/devices\/?$/, "devices", devices],
];
const HOME = "#/demands";

const state = { me: null, meta: null };
const view = document.getElementById("view");

function showChrome(loggedIn) {
  document.getElementById("nav").hidden = !loggedIn;
  document.getElementById("who").hidden = !loggedIn;
  const roles = { helper: "工作人员", supervisor: "主管" };
  document.getElementById("who-name").textContent = loggedIn
    ? `${state.me.name}（${roles[state.me.role] || state.me.role}）`
    : "";
}

async function showLogin() {
  state.me = null;
  state.meta = null;
  showChrome(false);
  view.replaceChildren();
  await login.render(view, {
    onLoggedIn: async (me) => {
      state.me = me;
      if (!location.hash || location.hash === "#/login") location.hash = HOME;
      else await route();
    },
  });
}

async function route() {
  if (!state.me) {
    try {
      state.me = await api.me();
    } catch {
      await showLogin();
      return;
    }
  }
  if (!state.meta) state.meta = await api.demandMeta();
  showChrome(true);
  hideToast();
  const hash = location.hash || HOME;
  for (const [pattern, section, page] of SECTIONS) {
    const match = hash.match(pattern);
    if (!match) continue;
    for (const link of document.querySelectorAll("#nav a")) {
      link.classList.toggle("active", link.dataset.section === section);
    }
    view.replaceChildren();
    await page.render(view, { ...state, params: match.slice(1).map(decodeURIComponent) });
    return;
  }
  location.hash = HOME;
}

setUnauthorizedHandler(() => { showLogin(); });

document.getElementById("logout").addEventListener("click", async () => {
  try { await api.logout(); } finally { await showLogin(); }
});

window.addEventListener("hashchange", () => { route(); });
route();
