// Data sources: the list, and one source's facts, usage, schema, grants (admin), a preview of what a key would see
// (admin), a query playground and its audit log (admin). Only the public API is called; admin-only calls are never
// made for a key without the admin permission.
import { api, query, enc, session, ApiError } from "../api.js";
import { h, fill, section, table, field, act, announce, errorBox, confirmDialog, fmt, badge, gauge, facts, json, tabs, cellText } from "../ui.js";
import { timeChart, colors } from "../chart.js";

const MASKS = ["partial", "redact", "hash"];
const OPS = ["eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "contains", "starts_with", "is_null"];

export async function render(container, params, ctx) {
  const [name] = params;
  if (name) await renderSource(container, name, ctx);
  else await renderList(container);
}

async function renderList(container) {
  container.append(h("h1", {}, "Data sources"));
  const answer = await api.get("/api/datasources?limit=100");
  const sources = answer.data_sources ?? [];
  container.append(section("Sources",
    h("p", { class: "muted" }, session.isAdmin ? `${fmt.number(answer.total)} registered.` : `${fmt.number(answer.total)} this key may read.`),
    table({
      label: "Data sources", empty: "No data source this key may read.", rows: sources, columns: [
        { label: "Name", value: s => h("a", { href: `#/data/${enc(s.name)}` }, s.name) },
        { label: "Type", value: s => s.type },
        { label: "Status", value: s => badge(s.status) },
        { label: "Tables", value: s => fmt.number(s.table_count), numeric: true },
        { label: "Default access", value: s => s.default_access },
        { label: "Description", value: s => s.description || "—" },
      ],
    })));
}

async function renderSource(container, name, ctx) {
  const base = `/api/datasources/${enc(name)}`;
  container.append(h("p", {}, h("a", { href: "#/data" }, "← All data sources")), h("h1", {}, name));
  const [source, schema] = await Promise.all([api.get(base), api.get(`${base}/schema`)]);
  const tables = schema.tables ?? [];
  const isTable = tables.length > 0;

  container.append(section("Definition", facts([
    ["Type", source.type],
    ["Status", badge(source.status)],
    ["Description", source.description || "—"],
    ["Default access", source.default_access],
    ["Masks", Object.keys(source.masks ?? {}).length === 0 ? "none"
      : h("ul", { class: "plain" }, Object.entries(source.masks).map(([f, m]) => h("li", {}, h("code", {}, f), ": ", m)))],
    ["Quotas per key", quotaText(source.quotas)],
    ["Cache TTL", source.cache_ttl_seconds ? `${fmt.number(source.cache_ttl_seconds)} s` : "off"],
    ["Schema refresh", source.refresh_interval_seconds ? `every ${fmt.number(source.refresh_interval_seconds)} s` : "off"],
    ["Tables", fmt.number(source.table_count)],
    ["Registered", `${fmt.time(source.created_at)} by ${source.created_by ?? "—"}`],
    ["Updated", fmt.time(source.updated_at)],
  ])));

  container.append(usageSection(base, ctx));
  container.append(schemaSection(tables));

  let preview = null;
  if (session.isAdmin) {
    preview = previewSection(base, tables);
    container.append(grantsSection(base, source, tables, preview), preview.node);
  }
  if (session.can("read") && isTable) container.append(playgroundSection(name, tables));
  if (session.isAdmin) container.append(auditSection(name));
}

function quotaText(quotas) {
  const q = quotas ?? {};
  return `${q.queries_per_day ?? "no limit"} queries, ${q.rows_per_day ?? "no limit"} rows per day`
    .replace("no limit queries", "no query limit").replace("no limit rows per day", "no row limit per day");
}

/** A source's reads per minute (admin: the timeline shows every key's reads), and this key's own counters today. */
function sourceCharts() {
  const traffic = timeChart("Reads per minute", [
    { label: "requests", value: p => p.requests, color: colors.blue },
    { label: "server errors", value: p => p.server_errors, color: colors.red },
    { label: "client errors", value: p => p.client_errors, color: colors.orange },
  ]);
  const latency = timeChart("Read latency", [
    { label: "p50", value: p => p.latency_ms?.p50 ?? null, color: colors.green },
    { label: "p95", value: p => p.latency_ms?.p95 ?? null, color: colors.purple },
  ], { unit: " ms" });
  const rows = timeChart("Rows returned per minute", [{ label: "rows", value: p => p.rows, color: colors.blue }]);
  return {
    node: h("div", { class: "charts" }, traffic.node, latency.node, rows.node),
    update(timeline) {
      const points = timeline?.points ?? [];
      [traffic, latency, rows].forEach(c => c.update(points));
    },
  };
}

function usageSection(base, ctx) {
  // The source's timeline is admin-only (it shows every key's reads): other keys are never sent to it.
  const charts = session.isAdmin ? sourceCharts() : null;
  const chartNote = h("p", { class: "muted", hidden: true });
  const counters = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  let timelineMissing = false;
  const node = section(session.isAdmin ? "Usage (last 60 minutes)" : "Usage", chartNote, charts?.node, h("h3", {}, "This key today"), counters);
  ctx.poll(async () => {
    const calls = [api.get(`${base}/usage`)];
    if (charts && !timelineMissing) calls.push(api.get(`${base}/usage/timeline?minutes=60`));
    const [usage, timeline] = await Promise.allSettled(calls);
    if (!ctx.isCurrent()) return;
    if (timeline?.status === "fulfilled") {
      charts.update(timeline.value);
      chartNote.hidden = true;
    } else if (timeline?.status === "rejected") {
      // An older gateway has no timeline: say so once and stop asking.
      if (timeline.reason instanceof ApiError && timeline.reason.status === 404) timelineMissing = true;
      charts.node.hidden = timelineMissing;
      chartNote.hidden = false;
      chartNote.textContent = timelineMissing ? "This gateway has no usage timeline for data sources." : `Timeline unavailable: ${timeline.reason.message}`;
    }
    if (usage.status === "fulfilled") {
      const u = usage.value;
      fill(counters,
        h("div", { class: "tiles" }, [
          ["Queries today", u.queries_today], ["Rows today", u.rows_today], ["Queries in total", u.total_queries],
          ["Rows in total", u.total_rows], ["Denied", u.denied],
        ].map(([label, value]) => h("dl", { class: "tile" }, h("dt", {}, label), h("dd", {}, fmt.number(value))))),
        u.quotas?.queries_per_day === null || u.quotas?.queries_per_day === undefined ? null : gauge("Queries today", u.queries_today, u.quotas.queries_per_day),
        u.quotas?.rows_per_day === null || u.quotas?.rows_per_day === undefined ? null : gauge("Rows today", u.rows_today, u.quotas.rows_per_day),
        h("p", { class: "muted" }, `Quotas: ${quotaText(u.quotas)}.`));
    } else {
      fill(counters, errorBox(usage.reason));
    }
  }, 5000);
  return node;
}

function schemaSection(tables) {
  return section("Schema",
    tables.length === 0 ? h("p", { class: "muted" }, "This key may read no table of this source.") : null,
    tables.map((t, i) => h("details", { class: "schema-table", open: i === 0, "data-table": t.name },
      h("summary", {}, h("code", {}, t.name), ` — ${t.columns.length} field${t.columns.length === 1 ? "" : "s"}`),
      table({
        label: `Fields of ${t.name}`, rows: t.columns, columns: [
          { label: "Field", value: c => h("code", {}, c.name) },
          { label: "Type", value: c => c.type },
          { label: "Native type", value: c => c.native_type || "—" },
          { label: "Nullable", value: c => c.nullable ? "yes" : "no" },
          { label: "Mask", value: c => c.mask ? badge(`masked: ${c.mask}`, "warn") : "none" },
        ],
      }))));
}

// ---- Grants (admin) ------------------------------------------------------------------------------------------------

function grantsSection(base, source, tables, preview) {
  const listHost = h("div", {}, h("p", { class: "muted" }, "Loading…"));
  const output = h("div", { class: "form-output", "aria-live": "polite" });
  const subject = field({ label: "Subject", name: "subject", required: true, placeholder: "key_… or owner:NAME",
    help: "A key id (key_…) for one key, or owner:NAME for every key of that owner." });
  const everything = field({ label: "Every table and field, unrestricted", name: "all_tables", type: "checkbox",
    help: "Leaves tables out of the grant: every table with only the source-wide masks." });
  const sql = field({ label: "Allow raw SQL (only for grants that hide nothing)", name: "sql", type: "checkbox" });
  const queriesPerDay = field({ label: "Queries per day", name: "queries_per_day", type: "number", min: "0", help: "Blank: the source's quota." });
  const rowsPerDay = field({ label: "Rows per day", name: "rows_per_day", type: "number", min: "0", help: "Blank: the source's quota." });
  const editors = tables.map(t => tableGrantEditor(t, source.masks ?? {}));
  const tablesHost = h("div", {}, editors.map(e => e.node));
  const syncEverything = () => editors.forEach(e => { e.node.disabled = everything.control.checked; });
  everything.control.addEventListener("change", syncEverything);

  const reset = () => {
    subject.control.value = "";
    everything.control.checked = false;
    sql.control.checked = false;
    queriesPerDay.control.value = "";
    rowsPerDay.control.value = "";
    editors.forEach(e => e.set(null));
    syncEverything();
    output.replaceChildren();
  };

  const editGrant = grant => {
    reset();
    subject.control.value = grant.subject;
    everything.control.checked = grant.tables === null || grant.tables === undefined;
    sql.control.checked = Boolean(grant.sql);
    queriesPerDay.control.value = grant.quotas?.queries_per_day ?? "";
    rowsPerDay.control.value = grant.quotas?.rows_per_day ?? "";
    editors.forEach(e => e.set(grant.tables ? (grant.tables[e.name] ?? false) : null));
    syncEverything();
    subject.control.focus();
    announce(`Editing the grant of ${grant.subject}.`);
  };

  const loadGrants = async () => {
    try {
      const grants = await api.get(`${base}/grants`);
      fill(listHost, table({
        label: "Grants", empty: "No grants: keys without one get the source's default access.", rows: grants, columns: [
          { label: "Subject", value: g => h("code", {}, g.subject) },
          { label: "Tables", value: g => g.tables ? h("ul", { class: "plain" }, Object.entries(g.tables).map(([t, tg]) => h("li", {}, h("code", {}, t), ": ",
            tg.fields ? `${tg.fields.length} field${tg.fields.length === 1 ? "" : "s"}` : "every field",
            (tg.row_filters?.length ?? 0) > 0 ? `, ${tg.row_filters.length} row filter${tg.row_filters.length === 1 ? "" : "s"}` : "",
            Object.keys(tg.masks ?? {}).length > 0 ? `, masks ${Object.entries(tg.masks).map(([f, m]) => `${f}=${m}`).join(" ")}` : ""))) : "every table" },
          { label: "SQL", value: g => g.sql ? "allowed" : "no" },
          { label: "Quotas", value: g => g.quotas ? quotaText(g.quotas) : "source's" },
          { label: "Updated", value: g => `${fmt.ago(g.updated_at)} by ${g.updated_by}` },
          { label: "Actions", value: g => h("div", { class: "actions" },
            h("button", { type: "button", class: "small", "aria-label": `Edit the grant of ${g.subject}`, on: { click: () => editGrant(g) } }, "Edit"),
            h("button", { type: "button", class: "small danger", "aria-label": `Delete the grant of ${g.subject}`, on: {
              click: async event => {
                if (!await confirmDialog("Delete grant", `Delete the grant of ${g.subject}? Its keys fall back to the owner's grant or the source's default access.`, "Delete")) return;
                await act(event.target, output, () => api.del(`${base}/grants/${enc(g.subject)}`), `Deleted the grant of ${g.subject}.`);
                await loadGrants();
              },
            } }, "Delete")) },
        ],
      }));
    } catch (error) {
      fill(listHost, errorBox(error));
    }
  };

  const save = h("button", { type: "submit", class: "primary" }, "Save grant");
  const previewButton = h("button", { type: "button", on: {
    click: () => {
      const value = subject.control.value.trim();
      if (!value.startsWith("key_")) {
        fill(output, h("p", { class: "error", role: "alert" }, "Preview needs a key id (key_…) as the subject."));
        return;
      }
      preview.show(value);
    },
  } }, "Preview as this key");
  const form = h("form", { class: "inline-form", "aria-label": "Grant editor", novalidate: true, on: {
    submit: async event => {
      event.preventDefault();
      const who = subject.control.value.trim();
      let body;
      try {
        body = { sql: sql.control.checked };
        if (!everything.control.checked) {
          body.tables = {};
          for (const e of editors) {
            const grant = e.get();
            if (grant) body.tables[e.name] = grant;
          }
          if (Object.keys(body.tables).length === 0) throw new Error("Choose at least one table, or every table.");
        }
        const quotas = {};
        if (queriesPerDay.control.value !== "") quotas.queries_per_day = Number(queriesPerDay.control.value);
        if (rowsPerDay.control.value !== "") quotas.rows_per_day = Number(rowsPerDay.control.value);
        if (Object.keys(quotas).length > 0) body.quotas = quotas;
        if (!who) throw new Error("Enter a subject: a key id (key_…) or owner:NAME.");
      } catch (error) {
        fill(output, errorBox(error));
        return;
      }
      const saved = await act(save, output, () => api.put(`${base}/grants/${enc(who)}`, body), `Saved the grant of ${who}.`);
      if (saved) {
        output.append(h("p", { class: "muted" }, `Saved the grant of ${who}.`));
        await loadGrants();
      }
    },
  } },
  h("h3", {}, "Add or change a grant"), subject, everything, sql, tablesHost,
  h("fieldset", {}, h("legend", {}, "Quotas (optional)"), h("div", { class: "row" }, queriesPerDay, rowsPerDay)),
  h("div", { class: "actions" }, save, previewButton, h("button", { type: "button", on: { click: reset } }, "Clear")), output);

  loadGrants();
  return section("Grants", listHost, form);
}

/** One table's part of the grant editor: include, visible fields with a mask each, and row filters. */
function tableGrantEditor(t, sourceMasks) {
  const include = field({ label: `Grant table ${t.name}`, name: `include_${t.name}`, type: "checkbox", value: true });
  const rows = t.columns.map(c => {
    const visible = h("input", { type: "checkbox", checked: true, id: `gf-${t.name}-${c.name}-${Math.random().toString(36).slice(2, 8)}`, "data-field": c.name });
    const sourceMask = sourceMasks[`${t.name}.${c.name}`];
    const mask = h("select", { "aria-label": `Mask for ${c.name}`, "data-mask": c.name },
      h("option", { value: "" }, sourceMask ? `source's (${sourceMask})` : "source's (none)"),
      h("option", { value: "none" }, "none (lift)"),
      MASKS.map(m => h("option", { value: m }, m)));
    return { column: c, visible, mask };
  });
  const filtersHost = h("div", { class: "filters" });
  const filterRows = [];
  const addFilter = (filter = {}) => {
    const fieldSelect = field({ label: "Field", name: "filter_field", type: "select", options: t.columns.map(c => c.name), value: filter.field ?? t.columns[0]?.name });
    const op = field({ label: "Operator", name: "filter_op", type: "select", options: OPS, value: filter.op ?? "eq" });
    const value = field({ label: "Value", name: "filter_value", value: filter.value === undefined ? "" : Array.isArray(filter.value) ? filter.value.join(", ") : String(filter.value),
      placeholder: "in/not_in: comma-separated" });
    const entry = {};
    const remove = h("button", { type: "button", class: "small", "aria-label": `Remove this row filter of ${t.name}`, on: {
      click: () => { filterRows.splice(filterRows.indexOf(entry), 1); entry.node.remove(); },
    } }, "Remove");
    Object.assign(entry, { node: h("div", { class: "filter-row" }, fieldSelect, op, value, remove), fieldSelect, op, value });
    filterRows.push(entry);
    filtersHost.append(entry.node);
    return entry;
  };
  const node = h("fieldset", { class: "grant-table", "data-table": t.name }, h("legend", {}, `Table ${t.name}`), include,
    table({
      label: `Fields of ${t.name} in this grant`, rows, columns: [
        { label: "Field", value: r => h("code", {}, r.column.name) },
        { label: "Visible", value: r => h("span", { class: "check" }, r.visible, h("label", { for: r.visible.id }, `Show ${r.column.name}`)) },
        { label: "Mask", value: r => r.mask },
      ],
    }),
    h("h4", {}, `Row filters of ${t.name}`), h("p", { class: "help" }, "Added to every query of the subject (ANDed)."), filtersHost,
    h("button", { type: "button", class: "small", on: { click: () => addFilter().fieldSelect.control.focus() } }, `Add row filter to ${t.name}`));

  return {
    name: t.name,
    node,
    /** null: defaults (included, every field, no filters); false: not in the grant; else the table's grant. */
    set(grant) {
      include.control.checked = grant !== false;
      filterRows.splice(0).forEach(r => r.node.remove());
      rows.forEach(r => {
        r.visible.checked = !grant || !grant.fields || grant.fields.includes(r.column.name);
        r.mask.value = grant?.masks?.[r.column.name] ?? "";
      });
      (grant?.row_filters ?? []).forEach(f => addFilter(f));
    },
    get() {
      if (!include.control.checked) return null;
      const masks = {};
      rows.forEach(r => { if (r.mask.value) masks[r.column.name] = r.mask.value; });
      const grant = { fields: rows.filter(r => r.visible.checked).map(r => r.column.name), masks };
      grant.row_filters = filterRows.map(r => {
        const column = t.columns.find(c => c.name === r.fieldSelect.control.value);
        return { field: column.name, op: r.op.control.value, value: typedValue(r.value.control.value, r.op.control.value, column.type) };
      });
      return grant;
    },
  };
}

/** A row filter's text as the JSON value the API types against the column. */
function typedValue(text, op, type) {
  const one = raw => {
    const v = raw.trim();
    if (v === "null") return null;
    if ((type === "integer" || type === "decimal") && v !== "" && !Number.isNaN(Number(v))) return Number(v);
    if (type === "boolean" && (v === "true" || v === "false")) return v === "true";
    return v;
  };
  if (op === "is_null") return text.trim() !== "false";
  if (op === "in" || op === "not_in") return text.split(",").filter(v => v.trim() !== "").map(one);
  return one(text);
}

// ---- Preview (admin) -----------------------------------------------------------------------------------------------

function previewSection(base, tables) {
  const keyId = field({ label: "Key id", name: "preview_key_id", placeholder: "key_…", help: "Shows what this key would read, with its grants, masks and row filters." });
  const tableSelect = field({ label: "Table", name: "preview_table", type: "select", options: [{ value: "", label: "every table" }, ...tables.map(t => t.name)] });
  const run = h("button", { type: "submit", class: "primary" }, "Preview");
  const output = h("div", { class: "preview-output", "aria-live": "polite" });
  const go = async () => {
    const id = keyId.control.value.trim();
    const answer = await act(run, output, () => api.get(`${base}/preview${query({ key_id: id, table: tableSelect.control.value, limit: 5 })}`));
    if (!answer) return;
    fill(output, renderPreview(answer, id));
    announce(answer.readable ? `Preview of ${id}: ${answer.tables?.length ?? 0} table(s).` : `${id} may not read this source.`);
  };
  const form = h("form", { "aria-label": "Preview as a key", on: { submit: event => { event.preventDefault(); go(); } } },
    h("div", { class: "row" }, keyId, tableSelect), h("div", { class: "actions" }, run));
  const node = section("Preview: what would this key see", form, output);
  node.classList.add("preview");
  return {
    node,
    show(id) {
      keyId.control.value = id;
      node.scrollIntoView({ block: "start" });
      go();
    },
  };
}

const BASIS = { key: "its own grant", owner: "its owner's grant", default: "the source's default access", admin: "the admin permission" };

function renderPreview(answer, id) {
  const who = [h("code", {}, answer.key_id ?? id), answer.owner ? ` (owner ${answer.owner})` : "",
    answer.key_status && answer.key_status !== "active" ? [" ", badge(answer.key_status)] : null];
  if (!answer.readable) {
    return h("p", { class: "notice", role: "note" }, who, " may not read this source", answer.reason ? `: ${answer.reason}` : ".");
  }
  return [
    h("p", {}, who, " reads this source through ", BASIS[answer.basis] ?? answer.basis ?? "its access", ".",
      answer.truncated ? " Only the first tables are shown." : ""),
    (answer.tables ?? []).map(t => {
      const shown = (t.columns ?? []).filter(c => c.visible);
      return h("div", { class: "preview-table", "data-table": t.table },
        h("h3", {}, `Table ${t.table}`, t.readable === false ? " (not readable)" : ""),
        h("ul", { class: "plain preview-columns", "aria-label": `Columns of ${t.table} for this key` }, (t.columns ?? []).map(c => h("li", { class: "preview-column" }, h("code", {}, c.name), " ",
          !c.visible ? badge("hidden", "neutral") : c.masked ? badge(`masked${c.mask ? `: ${c.mask}` : ""}`, "warn") : badge("visible", "ok")))),
        h("p", {}, "Row filter: ", t.row_filter === null || t.row_filter === undefined || (Array.isArray(t.row_filter) && t.row_filter.length === 0)
          ? "none" : h("code", {}, cellText(t.row_filter))),
        t.problem ? h("p", { class: "error" }, t.problem) : null,
        t.readable === false ? null : rowsTable(`Rows of ${t.table} as ${id}`, shown.map(c => ({ name: c.name, masked: c.masked })), t.rows ?? []));
    }),
  ];
}

/** Rows (objects) as a table; masked columns' cells carry the `masked` class (and the column header says so). */
function rowsTable(label, columns, rows) {
  const names = columns.length > 0 ? columns : Object.keys(rows[0] ?? {}).map(name => ({ name }));
  return h("div", { class: "table-wrap" }, h("table", { "aria-label": label },
    h("thead", {}, h("tr", {}, names.map(c => h("th", { scope: "col" }, c.name, c.masked ? " (masked)" : "")))),
    h("tbody", {}, rows.length === 0
      ? h("tr", {}, h("td", { colspan: String(Math.max(names.length, 1)), class: "empty" }, "No rows."))
      : rows.map(row => h("tr", {}, names.map(c => h("td", { class: c.masked ? "masked" : null }, cellText(row[c.name]))))))));
}

// ---- Query playground ----------------------------------------------------------------------------------------------

function playgroundSection(name, tables) {
  const output = h("div", { class: "query-output", "aria-live": "polite" });
  const first = tables[0]?.name;

  const structured = field({ label: "Structured query (JSON)", name: "structured", type: "textarea", rows: 8,
    value: JSON.stringify({ source: name, table: first, limit: 10 }, null, 2),
    help: "POST /api/data/query: source, table, fields, filters [{field, op, value}], order_by, limit, offset, aggregates, group_by." });
  const sql = field({ label: "SQL statement", name: "sql", type: "textarea", rows: 5, value: `SELECT * FROM "${first}" LIMIT 10`,
    help: "POST /api/data/sql: one read-only statement; needs a grant with SQL allowed that hides nothing (admins may)." });
  const question = field({ label: "Question", name: "question", placeholder: "e.g. how many rows per status", help: "POST /api/data/ask: answered by the built-in translator." });

  const runner = (label, call) => {
    const button = h("button", { type: "submit", class: "primary" }, label);
    const form = h("form", { on: { submit: async event => {
      event.preventDefault();
      let body;
      try {
        body = call.body();
      } catch (error) {
        fill(output, errorBox(new Error(`The JSON does not parse: ${error.message}`)));
        return;
      }
      const answer = await act(button, output, () => api.post(call.path, body));
      if (answer) {
        fill(output, renderAnswer(answer, tables));
        announce(`${fmt.number(answer.row_count ?? answer.rows?.length ?? 0)} rows.`);
      }
    } } });
    return { form, button };
  };
  const s = runner("Run query", { path: "/api/data/query", body: () => JSON.parse(structured.control.value) });
  s.form.append(structured, h("div", { class: "actions" }, s.button));
  const q = runner("Run SQL", { path: "/api/data/sql", body: () => ({ source: name, sql: sql.control.value }) });
  q.form.append(sql, h("div", { class: "actions" }, q.button));
  const a = runner("Ask", { path: "/api/data/ask", body: () => ({ source: name, question: question.control.value }) });
  a.form.append(question, h("div", { class: "actions" }, a.button));

  const tabbed = tabs("Query kind", [
    { label: "Structured", panel: s.form },
    { label: "SQL", panel: q.form },
    { label: "Ask", panel: a.form },
  ], { onSelect: () => output.replaceChildren() });
  return section("Query playground", tabbed.node, output);
}

/** The answer's rows; columns the key's schema shows masked are marked so (their cells carry the `masked` class). */
function renderAnswer(answer, tables) {
  const masked = new Map((tables.find(t => t.name === answer.table)?.columns ?? []).filter(c => c.mask).map(c => [c.name, c.mask]));
  const columns = (answer.columns ?? []).map(c => ({ name: c.name, masked: masked.has(c.name) }));
  const meta = [
    `${fmt.number(answer.row_count ?? answer.rows?.length ?? 0)} row${(answer.row_count ?? answer.rows?.length) === 1 ? "" : "s"}`,
    answer.table ? `from ${answer.table}` : null,
    answer.truncated ? "truncated" : null,
    answer.limited_by_quota ? "limited by quota" : null,
    answer.cached ? "from the cache" : null,
    answer.elapsed_ms !== undefined ? fmt.ms(answer.elapsed_ms) : null,
  ].filter(Boolean).join(" · ");
  return [
    h("p", { class: "result-meta", "data-row-count": String(answer.row_count ?? answer.rows?.length ?? 0) }, meta),
    answer.explanation ? h("p", {}, answer.explanation, answer.confidence !== undefined && answer.confidence !== null ? ` (confidence ${fmt.percent(answer.confidence)})` : "") : null,
    answer.query ? h("details", {}, h("summary", {}, "The question as a query"), json(answer.query)) : null,
    rowsTable("Query result", columns, answer.rows ?? []),
  ];
}

// ---- Audit log (admin) ---------------------------------------------------------------------------------------------

function auditSection(name) {
  const keyId = field({ label: "Key id", name: "audit_key_id", placeholder: "key_…" });
  const decision = field({ label: "Decision", name: "audit_decision", type: "select", options: [{ value: "", label: "any" }, "allowed", "denied", "failed"] });
  const limit = field({ label: "Entries per page", name: "audit_limit", type: "number", value: "20", min: "1", max: "1000" });
  const apply = h("button", { type: "submit", class: "primary" }, "Show");
  const older = h("button", { type: "button", hidden: true }, "Older");
  const output = h("div", {});
  const listHost = h("div", { class: "audit-list" });
  let entries = [];
  let before = null;
  let filters = {};

  const draw = () => fill(listHost, table({
    label: "Audit log", empty: "No reads match.", rows: entries, columns: [
      { label: "Time", value: e => fmt.time(e.timestamp) },
      { label: "Key", value: e => h("code", {}, e.key_id) },
      { label: "Owner", value: e => e.owner },
      { label: "Operation", value: e => e.operation },
      { label: "Table", value: e => e.table ?? "—" },
      { label: "Decision", value: e => badge(e.decision, e.decision === "allowed" ? "ok" : e.decision === "denied" ? "bad" : "warn") },
      { label: "Rows", value: e => fmt.number(e.row_count), numeric: true },
      { label: "Latency", value: e => fmt.ms(e.latency_ms), numeric: true },
      { label: "Cached", value: e => e.cached ? "yes" : "no" },
      { label: "Reason", value: e => e.reason ?? e.statement ?? "—" },
    ],
  }));

  const load = async (button, more) => {
    const page = await act(button, output, () => api.get(`/api/audit${query({ source: name, ...filters, before_id: more ? before : null })}`));
    if (!page) return;
    entries = more ? entries.concat(page.entries) : page.entries;
    before = page.next_before_id ?? null;
    older.hidden = before === null;
    draw();
    announce(`${entries.length} audit entr${entries.length === 1 ? "y" : "ies"} shown.`);
  };
  older.addEventListener("click", () => load(older, true));
  const form = h("form", { "aria-label": "Audit filters", on: { submit: event => {
    event.preventDefault();
    filters = { key_id: keyId.control.value.trim(), decision: decision.control.value, limit: limit.control.value };
    load(apply, false);
  } } }, h("div", { class: "row" }, keyId, decision, limit), h("div", { class: "actions" }, apply));
  filters = { limit: 20 };
  load(apply, false);
  return section("Audit log", form, output, listHost, h("div", { class: "actions" }, older));
}
