// The console shell: who is logged in, the navigation, and a hash router that hands the view to
// one page module at a time. A new section (the remote-assist queue) adds a module to SECTIONS,
// a link in index.html and its roles in NAV; nothing else changes.

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
import * as inbox from "./pages/inbox.js";
import * as filing from "./pages/filing.js";
import * as board from "./pages/board.js";
import * as bookings from "./pages/bookings.js";
import * as messages from "./pages/messages.js";
import * as ratings from "./pages/ratings.js";
import * as content from "./pages/content.js";
import * as policyPush from "./pages/policy_push.js";

// route pattern -> [section for the nav highlight, page module]
const SECTIONS = [
  [/^#\/demands\/([^/]+)$/, "demands", demand],
  [/^#\/demands\/?$/, "demands", demands],
  [/^#\/stats\/?$/, "stats", stats],
  [/^#\/assist\/([^/]+)$/, "assist", assistSession],
  [/^#\/assist\/?$/, "assist", assistQueue],
  [/^#\/fleet\/?$/, "fleet", fleet],
  [/^#\/devices\/?$/, "devices", devices],
  [/^#\/inbox\/?$/, "inbox", inbox],
  [/^#\/filings\/([^/]+)$/, "inbox", filing],
  [/^#\/board\/?$/, "board", board],
  [/^#\/bookings\/?$/, "bookings", bookings],
  [/^#\/messages\/?$/, "messages", messages],
  [/^#\/ratings\/?$/, "ratings", ratings],
  [/^#\/content\/?$/, "content", content],
  [/^#\/policy-push\/?$/, "policy-push", policyPush],
];
// What each role may use (the hall refuses the rest anyway): an officer works their
// department's inbox only; helpers the hall's own desks; a supervisor (and an admin) everything.
const HALL_DESKS = ["demands", "stats", "bookings", "assist", "fleet", "devices"];
const NAV = {
  officer: ["inbox", "ratings"],
  helper: HALL_DESKS,
  supervisor: ["inbox", "board", "ratings", ...HALL_DESKS, "messages", "policy-push"],
  admin: ["inbox", "board", "ratings", ...HALL_DESKS, "messages", "content", "policy-push"],
  // A field technician: the fleet, its remote commands and one-time station codes.
  technician: ["fleet"],
};
const HOMES = { officer: "#/inbox", supervisor: "#/inbox", admin: "#/inbox", technician: "#/fleet" };
const ROLE_NAMES = { officer: "部门工作人员", helper: "工作人员", supervisor: "主管", admin: "管理员", technician: "技术员" };

function allowed(me) {
  return NAV[me.role] || [];
}

function home(me) {
  return (me && HOMES[me.role]) || "#/demands";
}

const state = { me: null, meta: null };
const view = document.getElementById("view");

function showChrome(loggedIn) {
  document.getElementById("nav").hidden = !loggedIn;
  document.getElementById("who").hidden = !loggedIn;
  document.getElementById("who-name").textContent = loggedIn
    ? `${state.me.name}（${ROLE_NAMES[state.me.role] || state.me.role}）`
    : "";
  const sections = loggedIn ? allowed(state.me) : [];
  for (const link of document.querySelectorAll("#nav a")) {
    link.hidden = !sections.includes(link.dataset.section);
  }
}

async function showLogin() {
  state.me = null;
  state.meta = null;
  showChrome(false);
  view.replaceChildren();
  await login.render(view, {
    onLoggedIn: async (me) => {
      state.me = me;
      if (!location.hash || location.hash === "#/login") location.hash = home(me);
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
  // The demands' reference data is the hall desks' (officers are refused it, and need none).
  if (!state.meta && !["officer", "technician"].includes(state.me.role)) state.meta = await api.demandMeta();
  showChrome(true);
  hideToast();
  const hash = location.hash || home(state.me);
  for (const [pattern, section, page] of SECTIONS) {
    const match = hash.match(pattern);
    if (!match) continue;
    if (!allowed(state.me).includes(section)) break;
    for (const link of document.querySelectorAll("#nav a")) {
      link.classList.toggle("active", link.dataset.section === section);
    }
    view.replaceChildren();
    await page.render(view, { ...state, params: match.slice(1).map(decodeURIComponent) });
    return;
  }
  location.hash = home(state.me);
}

setUnauthorizedHandler(() => { showLogin(); });

document.getElementById("logout").addEventListener("click", async () => {
  try { await api.logout(); } finally { await showLogin(); }
});

window.addEventListener("hashchange", () => { route(); });
route();
