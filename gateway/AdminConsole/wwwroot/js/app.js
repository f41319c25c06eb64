// The console's shell: sign-in, navigation by permission, hash routes (#/keys/key_…: never a secret in a URL) and
// the polling that keeps charts live while their page is shown.
import { session, ApiError } from "./api.js";
import { h, fill, field, errorBox, announce, badge } from "./ui.js";
import * as overview from "./pages/overview.js";
import * as keys from "./pages/keys.js";
import * as models from "./pages/models.js";
import * as data from "./pages/data.js";
import * as alerts from "./pages/alerts.js";

/** Pages in menu order: who may open each is decided by the API's own permissions (the API refuses the rest anyway). */
const pages = [
  { path: "overview", title: "Overview", module: overview, allowed: () => true },
  { path: "keys", title: "Keys", module: keys, allowed: () => true },
  { path: "models", title: "Models", module: models, allowed: () => session.can("read") },
  { path: "data", title: "Data sources", module: data, allowed: () => session.can("read") },
  { path: "alerts", title: "Alerts", module: alerts, allowed: () => session.isAdmin },
];

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const who = document.getElementById("who");
let timers = [];
let generation = 0;

/**
 * Runs fn now and every `ms` while the page that asked is shown (and only while the tab is visible). The first run's
 * failure is the caller's (the page shows it); later ones are logged and the next tick tries again.
 */
function poll(fn, ms = 5000) {
  const mine = generation;
  let running = true;
  const tick = async () => {
    if (mine !== generation || document.hidden || running) return;
    running = true;
    try { await fn(); } catch (error) { if (!(error instanceof ApiError && error.status === 401)) console.warn(error); } finally { running = false; }
  };
  timers.push(setInterval(tick, ms));
  return Promise.resolve().then(fn).finally(() => { running = false; });
}

function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function renderNav(current) {
  fill(nav, h("ul", {}, pages.filter(p => p.allowed()).map(p => h("li", {},
    h("a", { href: `#/${p.path}`, "aria-current": p.path === current ? "page" : null }, p.title)))));
  nav.hidden = false;
  fill(who,
    h("span", {}, session.me.owner, " · ", h("code", {}, session.me.key_id), " ", session.me.permissions.map(p => badge(p, p === "admin" ? "warn" : "neutral"))),
    h("button", { type: "button", class: "link", on: { click: () => { session.signOut(); announce("Signed out."); } } }, "Sign out"));
  who.hidden = false;
}

function signInPage() {
  nav.hidden = true;
  who.hidden = true;
  const key = field({ label: "API key", name: "api_key", type: "password", required: true, autocomplete: "off",
    help: "Your key stays in this browser tab (sessionStorage) and is sent only to this gateway, in the X-API-Key header. Closing the tab signs you out." });
  const output = h("div", { class: "form-output" });
  const submit = h("button", { type: "submit", class: "primary" }, "Sign in");
  const form = h("form", { class: "card narrow", "aria-labelledby": "signin-title", on: {
    submit: async event => {
      event.preventDefault();
      submit.disabled = true;
      output.replaceChildren();
      try {
        await session.signIn(key.control.value);
        announce(`Signed in as ${session.me.owner}.`);
      } catch (error) {
        output.append(errorBox(error));
        key.control.focus();
      } finally {
        submit.disabled = false;
      }
    },
  } }, h("h1", { id: "signin-title" }, "Sign in"), session.reason ? h("p", { class: "error" }, `Signed out: ${session.reason}`) : null, key, h("div", { class: "actions" }, submit), output);
  session.reason = null;
  fill(main, form);
  key.control.focus();
  document.title = "Sign in · MCP Cluster console";
}

async function route() {
  generation++;
  timers.forEach(clearInterval);
  timers = [];
  if (!session.signedIn) {
    signInPage();
    return;
  }
  const [, name = "overview", ...rest] = location.hash.replace(/^#/, "").split("/");
  const page = pages.find(p => p.path === name);
  renderNav(page?.path);
  if (!page) {
    fill(main, h("h1", { tabindex: "-1" }, "Not found"), h("p", {}, "The console has no such page."));
    return;
  }
  document.title = `${page.title} · MCP Cluster console`;
  if (!page.allowed()) {
    // Nothing is fetched: the page needs a permission this key does not have.
    fill(main, h("h1", { tabindex: "-1" }, page.title), h("p", { class: "notice", role: "note" },
      `This page needs a key with the ${page.path === "alerts" ? "admin" : "read"} permission. You are signed in with ${session.me.permissions.join(", ") || "no"} permissions.`));
    main.querySelector("h1").focus();
    return;
  }
  const mine = generation;
  const container = h("div", { class: "page", "aria-busy": "true" });
  fill(main, container);
  try {
    await page.module.render(container, rest.map(decodeURIComponent), { poll, navigate, isCurrent: () => mine === generation });
  } catch (error) {
    if (mine === generation) {
      if (!container.querySelector("h1")) container.prepend(h("h1", {}, page.title));
      container.append(errorBox(error));
    }
  } finally {
    container.removeAttribute("aria-busy");
  }
  if (mine === generation) {
    const heading = container.querySelector("h1");
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: true });
    }
  }
}

session.onChange(route);
window.addEventListener("hashchange", route);
await session.restore();
route();
