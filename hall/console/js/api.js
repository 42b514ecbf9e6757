// The console's one door to the hall API: same-origin JSON requests with the session cookie.
// A 401 anywhere means the session ended (logout elsewhere, idle timeout): the app shows login.

export class ApiError extends Error {
  constructor(status, detail) {
    // The desk's refusals are objects with both languages; the English one is the message.
    super(typeof detail === "string" ? detail
      : detail && detail.message_en ? detail.message_en : `HTTP ${status}`);
    this.status = status;
    this.detail = detail;
  }
}

let onUnauthorized = () => {};

/** Called once by the app: what to do when the hall says the session is gone. */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

function withQuery(path, filters) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters || {})) {
    if (value !== "" && value !== null && value !== undefined) query.set(key, String(value));
  }
  const qs = query.toString();
  return `${path}${qs ? `?${qs}` : ""}`;
}

export async function request(method, path, body) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 204) return null;
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    if (response.status === 401 && !path.endsWith("/auth/login")) onUnauthorized();
    throw new ApiError(response.status, data && data.detail !== undefined ? data.detail : null);
  }
  return data;
}

export const api = {
  me: () => request("GET", "/api/v1/auth/me"),
  login: (name, password) => request("POST", "/api/v1/auth/login", { name, password }),
  logout: () => request("POST", "/api/v1/auth/logout"),
  demandMeta: () => request("GET", "/api/v1/demands/meta"),
  demands: (filters) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(filters)) {
      if (value !== "" && value !== null && value !== undefined) query.set(key, String(value));
    }
    const qs = query.toString();
    return request("GET", `/api/v1/demands${qs ? `?${qs}` : ""}`);
  },
  demand: (id) => request("GET", `/api/v1/demands/${encodeURIComponent(id)}`),
  act: (id, body) => request("POST", `/api/v1/demands/${encodeURIComponent(id)}/actions`, body),
  demandStats: () => request("GET", "/api/v1/demands/stats"),
  assistQueue: () => request("GET", "/api/v1/assist/queue"),
  assistAccept: (id) => request("POST", `/api/v1/assist/sessions/${encodeURIComponent(id)}/accept`),
  // The filings desk (issue 15).
  catalog: () => request("GET", "/api/v1/catalog"),
  inbox: (filters) => request("GET", withQuery("/api/v1/desk/inbox", filters)),
  filing: (id) => request("GET", `/api/v1/desk/filings/${encodeURIComponent(id)}`),
  reveal: (id, field) =>
    request("POST", `/api/v1/desk/filings/${encodeURIComponent(id)}/reveal`, { field }),
  move: (id, part, body) => request(
    "POST", `/api/v1/desk/parts/${encodeURIComponent(id)}/${encodeURIComponent(part)}/moves`, body),
  board: () => request("GET", "/api/v1/desk/board"),
  bookings: (filters) => request("GET", withQuery("/api/v1/desk/bookings", filters)),
  bookingAct: (id, body) =>
    request("POST", `/api/v1/desk/bookings/${encodeURIComponent(id)}`, body),
};
