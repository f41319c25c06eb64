// The console's only way to the gateway: the public HTTP API, with the signed-in key in X-API-Key. The key lives in
// this tab's sessionStorage (gone when the tab closes) and never in a URL.
const KEY_ITEM = "mcp-console-key";

export class ApiError extends Error {
  constructor(status, body, path) {
    const detail = body && typeof body === "object" ? body.detail ?? body.message ?? JSON.stringify(body) : String(body ?? "");
    super(`${status} ${body?.error ?? ""}: ${detail}`.trim());
    this.status = status;
    this.code = body?.error ?? null;
    this.detail = detail;
    this.field = body?.field ?? null;
    this.body = body;
    this.path = path;
  }
}

async function call(method, path, body, { signal } = {}) {
  const key = sessionStorage.getItem(KEY_ITEM);
  const headers = { Accept: "application/json" };
  if (key) headers["X-API-Key"] = key;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method, headers, signal, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    credentials: "omit", cache: "no-store", redirect: "error",
  });
  const text = await response.text();
  let parsed = null;
  if (text.length > 0) {
    try { parsed = JSON.parse(text); } catch { parsed = text; }
  }
  if (!response.ok) {
    const error = new ApiError(response.status, parsed, path);
    if (response.status === 401 && key) session.expired(error);
    throw error;
  }
  return parsed;
}

export const api = {
  get: (path, options) => call("GET", path, undefined, options),
  post: (path, body, options) => call("POST", path, body ?? {}, options),
  put: (path, body) => call("PUT", path, body ?? {}),
  patch: (path, body) => call("PATCH", path, body ?? {}),
  del: (path) => call("DELETE", path),
};

/** Builds a query string from the defined values only. */
export function query(values) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== "") params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

export const enc = encodeURIComponent;

const listeners = new Set();

/** Who is signed in: the key's own record from GET /api/keys/me. */
export const session = {
  me: null,
  get signedIn() { return this.me !== null; },
  get isAdmin() { return this.can("admin"); },
  can(permission) { return this.me?.permissions?.includes(permission) ?? false; },
  async restore() {
    if (!sessionStorage.getItem(KEY_ITEM)) return false;
    try {
      this.me = await api.get("/api/keys/me");
      return true;
    } catch {
      this.signOut();
      return false;
    }
  },
  async signIn(key) {
    sessionStorage.setItem(KEY_ITEM, key.trim());
    try {
      this.me = await api.get("/api/keys/me");
    } catch (error) {
      sessionStorage.removeItem(KEY_ITEM);
      this.me = null;
      throw error;
    }
    listeners.forEach(l => l());
  },
  signOut() {
    sessionStorage.removeItem(KEY_ITEM);
    this.me = null;
    listeners.forEach(l => l());
  },
  /** The key stopped working (revoked, expired, rotated without grace): back to the sign-in page. */
  expired(error) {
    sessionStorage.removeItem(KEY_ITEM);
    this.me = null;
    this.reason = error.detail;
    listeners.forEach(l => l());
  },
  onChange(listener) { listeners.add(listener); },
};
