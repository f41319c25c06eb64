// Alerts (admin): what is pending or firing, recently resolved alerts, the rules and the channels they notify.
// Secrets are write-only: the API answers secret_set / routing_key_set / password_set and a Slack URL as ********.
import { api, enc } from "../api.js";
import { h, fill, section, table, field, act, announce, errorBox, confirmDialog, fmt, badge } from "../ui.js";

const KINDS = ["slow_queries", "error_rate", "cache_miss_rate", "concurrent_queries"];
const SEVERITIES = ["info", "warning", "error", "critical"];
const CHANNEL_TYPES = ["webhook", "slack", "pager_duty", "email"];

export async function render(container, _params, ctx) {
  const evaluate = h("button", { type: "button", class: "primary" }, "Evaluate now");
  const evaluateOutput = h("div", {});
  container.append(h("div", { class: "toolbar" }, h("h1", {}, "Alerts"), evaluate), evaluateOutput);

  const lastEvaluated = h("p", { class: "muted" });
  const activeHost = h("div", {});
  const resolvedHost = h("div", {});
  const showAlerts = overview => {
    lastEvaluated.textContent = `Last evaluated: ${overview.last_evaluated_at ? `${fmt.time(overview.last_evaluated_at)} (${fmt.ago(overview.last_evaluated_at)})` : "not yet"}.`;
    fill(activeHost, alertsTable("Pending and firing alerts", overview.active ?? [], "Nothing is pending or firing."));
    fill(resolvedHost, alertsTable("Recently resolved alerts", overview.resolved ?? [], "No alert resolved recently."));
  };
  evaluate.addEventListener("click", async () => {
    const overview = await act(evaluate, evaluateOutput, () => api.post("/api/alerts/evaluate"));
    if (overview) {
      showAlerts(overview);
      announce(`Evaluated: ${overview.active?.length ?? 0} active alert(s).`);
    }
  });
  container.append(section("Active alerts", lastEvaluated, activeHost), section("Recently resolved", resolvedHost));

  const rules = rulesSection();
  const channels = channelsSection();
  container.append(rules.node, channels.node);

  await Promise.all([
    ctx.poll(async () => {
      try {
        const overview = await api.get("/api/alerts");
        if (ctx.isCurrent()) showAlerts(overview);
      } catch (error) {
        fill(activeHost, errorBox(error));
      }
    }, 10000),
    rules.reload(),
    channels.reload(),
  ]);
}

function alertsTable(label, alerts, empty) {
  return table({
    label, empty, rows: alerts, columns: [
      { label: "Rule", value: a => a.rule },
      { label: "Subject", value: a => a.subject },
      { label: "Status", value: a => badge(a.status) },
      { label: "Severity", value: a => badge(a.severity) },
      { label: "Value", value: a => `${fmt.number(a.value)} (threshold ${fmt.number(a.threshold)})` },
      { label: "Breaching since", value: a => fmt.time(a.breaching_since) },
      { label: "Fired", value: a => a.fired_at ? fmt.time(a.fired_at) : "—" },
      { label: "Resolved", value: a => a.resolved_at ? fmt.time(a.resolved_at) : "—" },
      { label: "Notifications", value: a => fmt.number(a.notifications), numeric: true },
    ],
  });
}

// ---- Rules ---------------------------------------------------------------------------------------------------------

function channelsText(channels) {
  if (channels === null || channels === undefined) return "every channel";
  return channels.length === 0 ? "none" : channels.join(", ");
}

function rulesSection() {
  const listHost = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  const editorHost = h("div", {});
  const output = h("div", {});

  const reload = async () => {
    try {
      const answer = await api.get("/api/alerts/rules");
      fill(listHost, table({
        label: "Alert rules", empty: "No rules.", rows: answer.rules ?? [], columns: [
          { label: "Name", value: r => r.name },
          { label: "Kind", value: r => r.kind },
          { label: "Threshold", value: r => fmt.number(r.threshold), numeric: true },
          { label: "Window", value: r => `${fmt.number(r.window_seconds)} s` },
          { label: "For", value: r => `${fmt.number(r.for_seconds)} s` },
          { label: "Severity", value: r => badge(r.severity) },
          { label: "Enabled", value: r => r.enabled ? badge("enabled", "ok") : badge("disabled", "neutral") },
          { label: "Source", value: r => r.source ?? "every source" },
          { label: "Channels", value: r => channelsText(r.channels) },
          { label: "Actions", value: r => h("div", { class: "actions" },
            h("button", { type: "button", class: "small", "aria-label": `Edit rule ${r.name}`, on: { click: () => openEditor(r) } }, "Edit"),
            h("button", { type: "button", class: "small danger", "aria-label": `Delete rule ${r.name}`, on: {
              click: async event => {
                if (!await confirmDialog("Delete rule", `Delete the alert rule ${r.name}? Its alerts stop being evaluated.`, "Delete")) return;
                const done = await act(event.target, output, () => api.del(`/api/alerts/rules/${enc(r.name)}`), `Deleted rule ${r.name}.`);
                if (done !== undefined) await reload();
              },
            } }, "Delete")) },
        ],
      }));
    } catch (error) {
      fill(listHost, errorBox(error));
    }
  };

  const openEditor = rule => {
    fill(editorHost, ruleForm(rule, async () => { fill(editorHost); await reload(); }, () => fill(editorHost)));
    editorHost.querySelector("input, select")?.focus();
  };

  const add = h("button", { type: "button", on: { click: () => openEditor(null) } }, "Add rule");
  return { node: section("Rules", listHost, output, h("div", { class: "actions" }, add), editorHost), reload };
}

/** The add form (rule null) or the edit form of one rule; fields left blank are left out of the PUT. */
function ruleForm(rule, saved, cancel) {
  const editing = rule !== null;
  const name = field({ label: "Name", name: "rule_name", required: true, value: rule?.name, help: editing ? null : "1–64 of a-z, 0-9, '.', '_', '-'." });
  if (editing) name.control.readOnly = true;
  const kind = editing ? null : field({ label: "Kind", name: "rule_kind", type: "select", options: KINDS, value: "slow_queries" });
  const threshold = field({ label: "Threshold", name: "threshold", type: "number", step: "any", min: "0", required: !editing, value: rule?.threshold,
    help: "Seconds for slow_queries; a share in [0, 1] for error_rate and cache_miss_rate; a count for concurrent_queries." });
  const windowSeconds = field({ label: "Window (seconds)", name: "window_seconds", type: "number", min: "10", max: "3600", value: rule?.window_seconds ?? 300 });
  const forSeconds = field({ label: "For (seconds)", name: "for_seconds", type: "number", min: "0", max: "86400", value: rule?.for_seconds ?? 60 });
  const severity = field({ label: "Severity", name: "severity", type: "select", options: SEVERITIES, value: rule?.severity ?? "warning" });
  const source = editing ? null : field({ label: "Data source (optional)", name: "rule_source", help: "Limit a per-source rule to one data source." });
  const enabled = field({ label: "Enabled", name: "enabled", type: "checkbox", value: rule?.enabled ?? true });
  const channels = field({ label: "Channels", name: "channels", value: rule ? (rule.channels === null ? "*" : rule.channels.join(", ")) : "*",
    help: "Comma-separated channel names; * for every channel; blank for none." });
  const save = h("button", { type: "submit", class: "primary" }, editing ? "Save rule" : "Add rule");
  const output = h("div", {});
  const form = h("form", { class: "inline-form", "aria-label": editing ? `Edit rule ${rule.name}` : "Add a rule", novalidate: true, on: {
    submit: async event => {
      event.preventDefault();
      const ruleName = name.control.value.trim();
      const body = { severity: severity.control.value, enabled: enabled.control.checked };
      if (kind) body.kind = kind.control.value;
      if (threshold.control.value !== "") body.threshold = Number(threshold.control.value);
      if (windowSeconds.control.value !== "") body.window_seconds = Number(windowSeconds.control.value);
      if (forSeconds.control.value !== "") body.for_seconds = Number(forSeconds.control.value);
      if (source && source.control.value.trim() !== "") body.source = source.control.value.trim();
      const text = channels.control.value.trim();
      body.channels = text === "*" ? ["*"] : text.split(",").map(c => c.trim()).filter(Boolean);
      if (!ruleName) {
        fill(output, errorBox(new Error("Enter a rule name.")));
        return;
      }
      const done = await act(save, output, () => api.put(`/api/alerts/rules/${enc(ruleName)}`, body), `Saved rule ${ruleName}.`);
      if (done) await saved();
    },
  } },
  h("h3", {}, editing ? `Edit rule ${rule.name}` : "Add a rule"),
  h("div", { class: "row" }, name, kind, threshold, severity), h("div", { class: "row" }, windowSeconds, forSeconds, source, channels), enabled,
  h("div", { class: "actions" }, save, h("button", { type: "button", on: { click: cancel } }, "Cancel")), output);
  return form;
}

// ---- Channels ------------------------------------------------------------------------------------------------------

function channelTarget(c) {
  switch (c.type) {
    case "webhook": return [h("code", {}, c.url ?? "—"), " ", c.secret_set ? badge("signed", "ok") : badge("unsigned", "neutral")];
    case "slack": return [h("code", {}, c.url ?? "—"), " (URL hidden)"];
    case "pager_duty": return [c.url ? h("code", {}, c.url) : "Events API v2", " ", c.routing_key_set ? badge("routing key set", "ok") : badge("no routing key", "warn")];
    case "email": return [`${c.from ?? "—"} → ${(c.to ?? []).join(", ")} via ${c.smtp?.host ?? "—"}:${c.smtp?.port ?? "—"} (${c.smtp?.security ?? "—"})`,
      c.smtp?.password_set ? " " : null, c.smtp?.password_set ? badge("password set", "neutral") : null];
    default: return c.url ?? "—";
  }
}

function lastDeliveries(c) {
  const deliveries = [...(c.recent_deliveries ?? [])].sort((a, b) => Date.parse(b.at) - Date.parse(a.at)).slice(0, 3);
  if (deliveries.length === 0) return "none yet";
  return h("ul", { class: "plain" }, deliveries.map(d => h("li", {},
    badge(d.delivered ? "delivered" : "failed"), ` ${d.event}, ${fmt.ago(d.at)}, ${d.attempts} attempt${d.attempts === 1 ? "" : "s"}`,
    d.error ? h("span", { class: "muted" }, `: ${d.error}`) : null)));
}

function deliveryText(d) {
  return d.delivered
    ? `Test delivered after ${d.attempts} attempt${d.attempts === 1 ? "" : "s"}.`
    : `Test not delivered after ${d.attempts} attempt${d.attempts === 1 ? "" : "s"}: ${d.error ?? "no reason given"}.`;
}

function channelsSection() {
  const listHost = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  const output = h("div", { class: "channel-output", role: "status" });
  const editorHost = h("div", {});

  const reload = async () => {
    try {
      const answer = await api.get("/api/alerts/channels");
      fill(listHost, table({
        label: "Alert channels", empty: "No channels: alerts are only shown here.", rows: answer.channels ?? [], columns: [
          { label: "Name", value: c => c.name },
          { label: "Type", value: c => c.type },
          { label: "Enabled", value: c => c.enabled ? badge("enabled", "ok") : badge("disabled", "neutral") },
          { label: "Target", value: c => h("span", {}, channelTarget(c)) },
          { label: "Last deliveries", value: c => lastDeliveries(c) },
          { label: "Actions", value: c => h("div", { class: "actions" },
            h("button", { type: "button", class: "small", "aria-label": `Send a test to ${c.name}`, on: {
              click: async event => {
                const delivery = await act(event.target, output, () => api.post(`/api/alerts/channels/${enc(c.name)}/test`));
                if (!delivery) return;
                fill(output, h("p", { class: delivery.delivered ? "delivery ok" : "error", "data-delivered": String(delivery.delivered) },
                  badge(delivery.delivered ? "delivered" : "failed"), ` ${c.name}: ${deliveryText(delivery)}`));
                announce(`${c.name}: ${deliveryText(delivery)}`);
                await reload();
              },
            } }, "Send test"),
            h("button", { type: "button", class: "small", "aria-label": `Edit channel ${c.name}`, on: { click: () => openEditor(c) } }, "Edit"),
            h("button", { type: "button", class: "small danger", "aria-label": `Delete channel ${c.name}`, on: {
              click: async event => {
                if (!await confirmDialog("Delete channel", `Delete the alert channel ${c.name}? Rules naming it stop notifying it.`, "Delete")) return;
                const done = await act(event.target, output, () => api.del(`/api/alerts/channels/${enc(c.name)}`), `Deleted channel ${c.name}.`);
                if (done !== undefined) await reload();
              },
            } }, "Delete")) },
        ],
      }));
    } catch (error) {
      fill(listHost, errorBox(error));
    }
  };

  const openEditor = channel => {
    fill(editorHost, channelForm(channel, async () => { fill(editorHost); await reload(); }, () => fill(editorHost)));
    editorHost.querySelector("input, select")?.focus();
  };
  const add = h("button", { type: "button", on: { click: () => openEditor(null) } }, "Add channel");
  return { node: section("Channels", listHost, output, h("div", { class: "actions" }, add), editorHost), reload };
}

/** Add or replace a channel. Secrets are never filled in: blank keeps the stored one. */
function channelForm(channel, saved, cancel) {
  const editing = channel !== null;
  const keep = editing ? "Blank keeps the stored one." : null;
  const name = field({ label: "Name", name: "channel_name", required: true, value: channel?.name, help: editing ? null : "1–64 of a-z, 0-9, '.', '_', '-'." });
  if (editing) name.control.readOnly = true;
  const type = field({ label: "Type", name: "channel_type", type: "select", options: CHANNEL_TYPES, value: channel?.type ?? "webhook" });
  const enabled = field({ label: "Enabled", name: "channel_enabled", type: "checkbox", value: channel?.enabled ?? true });

  const webhookUrl = field({ label: "Webhook URL", name: "webhook_url", type: "text", value: channel?.type === "webhook" ? channel.url : "", placeholder: "https://…" });
  const webhookSecret = field({ label: "Signing secret (optional)", name: "webhook_secret", type: "password", help: ["Signs each POST with X-Mcp-Signature.", keep].filter(Boolean).join(" ") });
  const slackUrl = field({ label: "Slack incoming-webhook URL", name: "slack_url", type: "password", help: editing ? "The URL is a secret. Blank keeps the stored one." : "The URL is a secret: it is never shown again." });
  const routingKey = field({ label: "Routing key", name: "routing_key", type: "password", help: ["The integration's Events API v2 key.", keep].filter(Boolean).join(" ") });
  const pagerUrl = field({ label: "Events API URL (optional)", name: "pager_url", value: channel?.type === "pager_duty" ? channel.url ?? "" : "", help: "e.g. the EU region's endpoint." });
  const smtpHost = field({ label: "SMTP host", name: "smtp_host", value: channel?.smtp?.host ?? "" });
  const smtpPort = field({ label: "SMTP port", name: "smtp_port", type: "number", min: "1", max: "65535", value: channel?.smtp?.port ?? "" });
  const smtpSecurity = field({ label: "Security", name: "smtp_security", type: "select", options: ["start_tls", "tls", "none"], value: channel?.smtp?.security ?? "start_tls" });
  const smtpUser = field({ label: "SMTP user name (optional)", name: "smtp_username", value: channel?.smtp?.username ?? "" });
  const smtpPassword = field({ label: "SMTP password", name: "smtp_password", type: "password", help: keep });
  const from = field({ label: "From", name: "from", value: channel?.from ?? "" });
  const to = field({ label: "To", name: "to", value: (channel?.to ?? []).join(", "), help: "Comma-separated addresses (at most 20)." });

  const groups = {
    webhook: h("div", { class: "row" }, webhookUrl, webhookSecret),
    slack: h("div", { class: "row" }, slackUrl),
    pager_duty: h("div", { class: "row" }, routingKey, pagerUrl),
    email: h("div", {}, h("div", { class: "row" }, smtpHost, smtpPort, smtpSecurity), h("div", { class: "row" }, smtpUser, smtpPassword), h("div", { class: "row" }, from, to)),
  };
  const syncType = () => Object.entries(groups).forEach(([t, node]) => { node.hidden = t !== type.control.value; });
  type.control.addEventListener("change", syncType);
  syncType();

  const body = () => {
    const value = f => f.control.value.trim();
    const b = { type: type.control.value, enabled: enabled.control.checked };
    switch (b.type) {
      case "webhook":
        b.url = value(webhookUrl);
        if (value(webhookSecret)) b.secret = value(webhookSecret);
        break;
      case "slack":
        if (value(slackUrl)) b.url = value(slackUrl);
        break;
      case "pager_duty":
        if (value(routingKey)) b.routing_key = value(routingKey);
        if (value(pagerUrl)) b.url = value(pagerUrl);
        break;
      case "email":
        b.smtp = { host: value(smtpHost), security: smtpSecurity.control.value };
        if (value(smtpPort)) b.smtp.port = Number(value(smtpPort));
        if (value(smtpUser)) b.smtp.username = value(smtpUser);
        if (value(smtpPassword)) b.smtp.password = value(smtpPassword);
        b.from = value(from);
        b.to = value(to).split(",").map(t => t.trim()).filter(Boolean);
        break;
    }
    return b;
  };

  const save = h("button", { type: "submit", class: "primary" }, editing ? "Save channel" : "Add channel");
  const output = h("div", {});
  return h("form", { class: "inline-form", "aria-label": editing ? `Edit channel ${channel.name}` : "Add a channel", novalidate: true, on: {
    submit: async event => {
      event.preventDefault();
      const channelName = name.control.value.trim();
      if (!channelName) {
        fill(output, errorBox(new Error("Enter a channel name.")));
        return;
      }
      const done = await act(save, output, () => api.put(`/api/alerts/channels/${enc(channelName)}`, body()), `Saved channel ${channelName}.`);
      if (done) await saved();
    },
  } },
  h("h3", {}, editing ? `Edit channel ${channel.name}` : "Add a channel"),
  h("div", { class: "row" }, name, type), groups.webhook, groups.slack, groups.pager_duty, groups.email, enabled,
  h("div", { class: "actions" }, save, h("button", { type: "button", on: { click: cancel } }, "Cancel")), output);
}
