// Time-series charts on uPlot (vendored from npm, served by the gateway). Each chart is a figure with a caption, and
// its latest points are also a table, so the numbers are there for a screen reader and a keyboard user.
import { h, uid, fmt } from "./ui.js";

export const colors = { blue: "#1f5fbf", red: "#b3261e", orange: "#8a5300", green: "#1b7a3a", purple: "#6b3fa0", grey: "#4a4f57" };

/**
 * series: [{label, value: point => number|null, color}]; points: the timeline answer's points ({at, ...}).
 * Returns {node, update(points)}.
 */
export function timeChart(title, series, { unit = "", height = 180, sparse = false } = {}) {
  const captionId = uid("chart");
  const plotHost = h("div", { class: "plot", "aria-hidden": "true" });
  const summary = h("p", { class: "chart-summary" });
  const dataTable = h("div", { class: "table-wrap" });
  const node = h("figure", { class: "chart", role: "group", "aria-labelledby": captionId, "data-chart": title },
    h("figcaption", { id: captionId }, title), plotHost, summary,
    h("details", {}, h("summary", {}, `${title}: data`), dataTable));
  let plot = null;
  let last = [];

  const draw = () => {
    if (typeof uPlot === "undefined" || !node.isConnected) return;
    const width = Math.max(plotHost.clientWidth, 240);
    const data = [last.map(p => Date.parse(p.at) / 1000), ...series.map(s => last.map(p => s.value(p) ?? null))];
    if (!plot) {
      plot = new uPlot({
        width, height,
        legend: { show: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true } },
        axes: [{ stroke: colors.grey, grid: { stroke: "#e3e5e8" } }, { stroke: colors.grey, grid: { stroke: "#e3e5e8" }, size: 60, values: (_, ticks) => ticks.map(t => `${fmt.number(t)}${unit}`) }],
        // A sparse measure (latency exists only in minutes with requests) joins its points across empty minutes.
        series: [{ label: "time" }, ...series.map(s => ({ label: s.label, stroke: s.color ?? colors.blue, width: 2, spanGaps: sparse, points: { show: sparse || last.length < 40, size: 5 } }))],
      }, data, plotHost);
    } else {
      plot.setData(data);
      if (Math.abs(plot.width - width) > 4) plot.setSize({ width, height });
    }
  };

  const update = points => {
    last = points ?? [];
    node.dataset.points = String(last.length);
    const totals = series.map(s => last.reduce((sum, p) => sum + (Number(s.value(p)) || 0), 0));
    node.dataset.total = String(totals[0] ?? 0);
    const latest = [...last].reverse().find(p => series.some(s => (s.value(p) ?? 0) > 0));
    summary.textContent = latest
      ? `Latest activity at ${new Date(latest.at).toLocaleTimeString("en-GB")}: ${series.map(s => `${s.label} ${fmt.number(s.value(latest) ?? 0)}${unit}`).join(", ")}.`
      : "No activity in this window.";
    const recent = last.filter(p => series.some(s => (s.value(p) ?? 0) > 0)).slice(-15);
    dataTable.replaceChildren(h("table", {},
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Time"), series.map(s => h("th", { scope: "col", class: "num" }, s.label)))),
      h("tbody", {}, recent.length === 0
        ? h("tr", {}, h("td", { colspan: String(series.length + 1), class: "empty" }, "No activity in this window."))
        : recent.map(p => h("tr", {}, h("th", { scope: "row" }, new Date(p.at).toLocaleTimeString("en-GB")),
          series.map(s => h("td", { class: "num" }, s.value(p) === null || s.value(p) === undefined ? "—" : `${fmt.number(s.value(p))}${unit}`)))))));
    draw();
  };

  new ResizeObserver(() => { if (plot) draw(); }).observe(plotHost);
  return { node, update, redraw: draw };
}

/** The standard charts of a timeline: traffic (requests, errors), latency (p50, p95) and tokens. */
export function timelineCharts(prefix = "") {
  const traffic = timeChart(`${prefix}Requests per minute`, [
    { label: "requests", value: p => p.requests, color: colors.blue },
    { label: "server errors", value: p => p.server_errors, color: colors.red },
    { label: "client errors", value: p => p.client_errors, color: colors.orange },
  ]);
  const latency = timeChart(`${prefix}Latency`, [
    { label: "p50", value: p => p.latency_ms?.p50 ?? null, color: colors.green },
    { label: "p95", value: p => p.latency_ms?.p95 ?? null, color: colors.purple },
  ], { unit: " ms", sparse: true });
  const tokens = timeChart(`${prefix}Tokens per minute`, [
    { label: "prompt", value: p => p.prompt_tokens, color: colors.blue },
    { label: "completion", value: p => p.completion_tokens, color: colors.green },
  ]);
  return {
    node: h("div", { class: "charts" }, traffic.node, latency.node, tokens.node),
    update(timeline) {
      const points = timeline?.points ?? [];
      traffic.update(points);
      latency.update(points);
      tokens.update(points);
    },
  };
}
