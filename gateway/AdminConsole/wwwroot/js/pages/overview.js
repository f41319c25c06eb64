// Overview: the cluster's traffic for an admin (GET /summary and its timeline, silos, readiness); for any other key,
// that key's own traffic (GET /api/keys/{id}/usage and its timeline) — the API refuses /summary to them anyway.
import { api, enc, session } from "../api.js";
import { h, fill, section, table, fmt, badge, facts, errorBox } from "../ui.js";
import { timelineCharts } from "../chart.js";

export async function render(container, _params, ctx) {
  if (!session.isAdmin) {
    await renderOwn(container, ctx);
    return;
  }
  const tiles = h("dl", { class: "tiles", "aria-label": "Today" });
  const charts = timelineCharts();
  const tops = h("div", { class: "grid" });
  const silos = h("div");
  const ready = h("div");
  container.append(
    h("div", { class: "toolbar" }, h("h1", {}, "Overview"), h("span", { class: "muted" }, "Cluster traffic, updated every 5 s")),
    tiles, section("Last hour", charts.node), tops,
    h("div", { class: "grid" }, section("Silos", silos), section("Readiness of this gateway", ready)));

  await ctx.poll(async () => {
    const [summary, timeline] = await Promise.all([api.get("/summary?top=5"), api.get("/summary/timeline?minutes=60").catch(() => null)]);
    if (!ctx.isCurrent()) return;
    fillTiles(tiles, summary.totals);
    charts.update(timeline);
    fill(tops,
      rankCard("Top models", "model", summary.top_models, id => `#/models/${enc(id)}`),
      rankCard("Top keys", "key", summary.top_keys, id => `#/keys/${enc(id)}`),
      rankCard("Top data sources", "source", summary.top_sources, id => `#/data/${enc(id)}`));
  }, 5000);
  await ctx.poll(async () => {
    const [cluster, readiness] = await Promise.all([
      api.get("/api/cluster/silos").catch(error => ({ error })),
      api.get("/health/ready").catch(error => ({ error, ...(error.body ?? {}) })),
    ]);
    if (!ctx.isCurrent()) return;
    fill(silos, cluster.error ? errorBox(cluster.error) : table({
      label: "Silos",
      columns: [
        { label: "Silo", value: s => h("span", {}, s.name, h("br"), h("code", { class: "muted" }, s.address)) },
        { label: "Status", value: s => badge(s.status) },
        { label: "Host", value: s => s.host },
        { label: "Activations", value: s => fmt.number(s.activations), numeric: true },
        { label: "Last heartbeat", value: s => fmt.ago(s.last_heartbeat_at) },
      ],
      rows: cluster.silos ?? [],
    }));
    fill(ready,
      h("p", {}, "Status: ", badge(readiness.status ?? "unknown")),
      table({ label: "Readiness checks", columns: [{ label: "Check", value: c => c[0] }, { label: "Result", value: c => c[1] }], rows: Object.entries(readiness.checks ?? {}) }));
  }, 10000);
}

function fillTiles(tiles, totals) {
  const tile = (name, value) => h("div", { class: "tile" }, h("dt", {}, name), h("dd", {}, value));
  fill(tiles,
    tile("Requests today", fmt.number(totals.requests)),
    tile("Server errors", `${fmt.number(totals.server_errors)} (${fmt.percent(totals.error_rate)})`),
    tile("Client errors", fmt.number(totals.client_errors)),
    tile("Latency p50", fmt.ms(totals.latency_ms.p50)),
    tile("Latency p95", fmt.ms(totals.latency_ms.p95)),
    tile("Tokens", fmt.number(totals.prompt_tokens + totals.completion_tokens)));
}

function rankCard(title, kind, rows, link) {
  return section(title, table({
    label: title,
    columns: [
      { label: kind === "key" ? "Key" : kind === "model" ? "Model" : "Source", value: r => h("a", { href: link(r.id) }, r.id) },
      { label: "Requests today", value: r => fmt.number(r.requests), numeric: true },
    ],
    rows, empty: "No traffic today.",
  }));
}

async function renderOwn(container, ctx) {
  const me = session.me;
  const counters = h("div");
  const charts = timelineCharts();
  container.append(
    h("div", { class: "toolbar" }, h("h1", {}, "Your usage"), h("span", { class: "muted" }, "This key's traffic, updated every 5 s")),
    section("Key", facts([["Key", h("a", { href: `#/keys/${enc(me.key_id)}` }, me.key_id)], ["Owner", me.owner], ["Permissions", me.permissions.join(", ")], ["Rate limit", me.rate_limit]])),
    section("Today", counters), section("Last hour", charts.node));
  await ctx.poll(async () => {
    const [usage, timeline] = await Promise.all([api.get(`/api/keys/${enc(me.key_id)}/usage`), api.get(`/api/keys/${enc(me.key_id)}/usage/timeline?minutes=60`).catch(() => null)]);
    if (!ctx.isCurrent()) return;
    fill(counters, facts([
      ["Requests today", fmt.number(usage.requests_today)], ["This month", fmt.number(usage.requests_this_month)],
      ["Rejected", fmt.number(usage.rejected_requests)], ["Latency p95", fmt.ms(usage.traffic?.latency_ms?.p95)],
    ]));
    charts.update(timeline);
  }, 5000);
}
