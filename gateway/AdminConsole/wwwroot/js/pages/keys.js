// Keys: the keys this key may see (all for an admin; itself and the keys it created otherwise, as GET /api/keys
// answers), creating one (its secret shown once), rotating with a grace period, revoking, and one key's usage.
import { api, enc, query, session } from "../api.js";
import { h, fill, section, table, field, act, fmt, badge, gauge, facts, confirmDialog, secretDialog, announce } from "../ui.js";
import { timelineCharts } from "../chart.js";

const PERMISSIONS = ["read", "write", "execute", "admin"];

export async function render(container, [keyId], ctx) {
  if (keyId) {
    await renderKey(container, keyId, ctx);
    return;
  }
  const list = h("div");
  const pager = h("div", { class: "actions" });
  const ownerFilter = field({ label: "Owner", name: "owner", placeholder: "all owners" });
  let offset = 0;
  const load = async () => {
    const page = await api.get(`/api/keys${query({ owner: ownerFilter.control.value.trim(), offset, limit: 50 })}`);
    fill(list, keyTable(page.items, ctx));
    fill(pager,
      h("span", { class: "muted" }, `${page.total === 0 ? 0 : page.offset + 1}–${page.offset + page.items.length} of ${page.total}`),
      h("button", { type: "button", disabled: page.offset === 0, on: { click: () => { offset = Math.max(0, offset - 50); load(); } } }, "Previous"),
      h("button", { type: "button", disabled: page.offset + page.items.length >= page.total, on: { click: () => { offset += 50; load(); } } }, "Next"));
  };
  const filterForm = h("form", { class: "row", role: "search", "aria-label": "Filter keys", on: { submit: e => { e.preventDefault(); offset = 0; load(); } } },
    ownerFilter, h("div", { class: "actions" }, h("button", { type: "submit" }, "Filter")));
  container.append(h("div", { class: "toolbar" }, h("h1", {}, "Keys")), session.can("write") ? section("Create a key", createForm(load)) : null,
    section("Keys", filterForm, list, pager));
  await load();
}

function keyTable(keys, ctx) {
  return table({
    label: "Keys",
    columns: [
      { label: "Key", value: k => h("a", { href: `#/keys/${enc(k.key_id)}` }, k.key_id) },
      { label: "Owner", value: k => k.owner },
      { label: "Description", value: k => k.description },
      { label: "Permissions", value: k => k.permissions.join(", ") },
      { label: "Status", value: k => badge(k.status) },
      { label: "Rate limit", value: k => k.rate_limit },
      { label: "Last used", value: k => fmt.ago(k.last_used_at) },
      { label: "Actions", value: k => k.status === "revoked" || !session.can("write") ? "" : keyActions(k, () => ctx.navigate(location.hash)) },
    ],
    rows: keys, empty: "No keys.",
  });
}

function keyActions(key, reload) {
  const output = h("div");
  const rotate = h("button", { type: "button", class: "small", on: { click: () => rotateDialog(key, reload) } }, "Rotate");
  const revoke = h("button", {
    type: "button", class: "small danger", "aria-label": `Revoke ${key.key_id}`, on: {
      click: async () => {
        if (!await confirmDialog(`Revoke ${key.key_id}?`, `Requests with this key (owner ${key.owner}) fail on every gateway from now on. This cannot be undone.`, "Revoke")) return;
        const done = await act(revoke, output, () => api.del(`/api/keys/${enc(key.key_id)}`).then(() => true), `Revoked ${key.key_id}.`);
        if (done) {
          if (key.key_id === session.me?.key_id) session.signOut();
          else reload();
        }
      },
    },
  }, "Revoke");
  rotate.setAttribute("aria-label", `Rotate ${key.key_id}`);
  return h("div", { class: "actions" }, rotate, revoke, output);
}

function createForm(reload) {
  const mine = session.me.permissions;
  const owner = field({ label: "Owner", name: "owner", required: true, value: session.isAdmin ? "" : session.me.owner, help: session.isAdmin ? null : "A non-admin key creates keys for its own owner only." });
  const description = field({ label: "Description", name: "description" });
  const permissions = field({ label: "Permissions", name: "permissions", type: "checkboxes", options: PERMISSIONS.filter(p => mine.includes(p)), value: ["read"] });
  const rate = field({ label: "Rate limit", name: "rate_limit", placeholder: "100/minute", help: "N/second, N/minute, N/hour or N/day; empty inherits the default (or your own limit)." });
  const daily = field({ label: "Daily quota", name: "daily_quota", type: "number", min: "1" });
  const monthly = field({ label: "Monthly quota", name: "monthly_quota", type: "number", min: "1" });
  const expires = field({ label: "Expires in days", name: "expires_in_days", type: "number", min: "1", placeholder: "365" });
  const output = h("div");
  const submit = h("button", { type: "submit", class: "primary" }, "Create key");
  const form = h("form", {
    "aria-label": "Create a key", on: {
      submit: async event => {
        event.preventDefault();
        const body = { owner: owner.control.value.trim(), permissions: permissions.values() };
        if (description.control.value.trim()) body.description = description.control.value.trim();
        if (rate.control.value.trim()) body.rate_limit = rate.control.value.trim();
        for (const [name, input] of [["daily_quota", daily], ["monthly_quota", monthly], ["expires_in_days", expires]]) {
          if (input.control.value !== "") body[name] = Number(input.control.value);
        }
        const created = await act(submit, output, () => api.post("/api/keys", body));
        if (!created) return;
        announce(`Created ${created.key_id}.`);
        await secretDialog(`Key ${created.key_id} created`, created.api_key);
        form.reset();
        reload();
      },
    },
  }, h("div", { class: "row" }, owner, description), permissions, h("div", { class: "row" }, rate, daily, monthly, expires), h("div", { class: "actions" }, submit), output);
  return form;
}

async function rotateDialog(key, reload) {
  const grace = field({ label: "Grace period (seconds)", name: "grace_period_seconds", type: "number", min: "0", max: "86400", value: "300",
    help: "How long the old secret keeps working (at most a day; 0 ends it now)." });
  const output = h("div");
  const submit = h("button", { type: "submit", class: "primary" }, "Rotate");
  const cancel = h("button", { type: "button", on: { click: () => dialog.close() } }, "Cancel");
  const titleId = `rotate-${key.key_id}`;
  const dialog = h("dialog", { "aria-labelledby": titleId },
    h("form", {
      on: {
        submit: async event => {
          event.preventDefault();
          const rotated = await act(submit, output, () => api.post(`/api/keys/${enc(key.key_id)}/rotate`, { grace_period_seconds: Number(grace.control.value || 0) }));
          if (!rotated) return;
          dialog.close();
          await secretDialog(`New secret for ${key.key_id}`, rotated.api_key,
            `The old secret ${Number(grace.control.value) > 0 ? `keeps working for ${grace.control.value} s` : "stopped working"}. This is the only time the new one is shown.`);
          if (key.key_id === session.me?.key_id) await session.signIn(rotated.api_key);
          reload();
        },
      },
    }, h("h2", { id: titleId }, `Rotate ${key.key_id}`), grace, h("div", { class: "actions" }, submit, cancel), output));
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
}

async function renderKey(container, keyId, ctx) {
  const key = await api.get(`/api/keys/${enc(keyId)}`);
  const gauges = h("div");
  const charts = timelineCharts();
  const reload = () => ctx.navigate(location.hash);
  container.append(
    h("div", { class: "toolbar" }, h("h1", {}, `Key ${key.key_id}`), h("a", { href: "#/keys" }, "All keys")),
    h("div", { class: "grid" },
      section("Key", facts([
        ["Owner", key.owner], ["Description", key.description], ["Status", badge(key.status)], ["Permissions", key.permissions.join(", ")],
        ["Prefix", h("code", {}, key.key_prefix)], ["Created", `${fmt.time(key.created_at)} by ${key.created_by ?? "—"}`],
        ["Expires", fmt.time(key.expires_at)], ["Rotated", fmt.time(key.rotated_at)], ["Revoked", fmt.time(key.revoked_at)], ["Last used", fmt.ago(key.last_used_at)],
      ]), key.status === "revoked" || !session.can("write") ? null : keyActions(key, reload)),
      section("Quotas and limits", gauges)),
    section("Last hour", charts.node));
  await ctx.poll(async () => {
    const [usage, timeline] = await Promise.all([api.get(`/api/keys/${enc(keyId)}/usage`), api.get(`/api/keys/${enc(keyId)}/usage/timeline?minutes=60`).catch(() => null)]);
    if (!ctx.isCurrent()) return;
    fill(gauges,
      gauge("Rate limit window", usage.rate_limit.limit - usage.rate_limit.remaining, usage.rate_limit.limit),
      gauge("Requests today", usage.requests_today, usage.daily_quota),
      gauge("Requests this month", usage.requests_this_month, usage.monthly_quota),
      gauge("Tokens this minute", usage.tokens?.this_minute ?? 0, usage.tokens?.per_minute),
      gauge("Tokens today", usage.tokens?.today ?? 0, usage.tokens?.per_day),
      facts([["Total requests", fmt.number(usage.total_requests)], ["Rejected", fmt.number(usage.rejected_requests)], ["Window resets", fmt.time(usage.rate_limit.reset)]]));
    charts.update(timeline);
  }, 5000);
}
