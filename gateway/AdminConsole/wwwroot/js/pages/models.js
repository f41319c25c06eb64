// Models: the registry (status and circuit of each), registering from a form or the guide's JSON, one model's
// versions and aliases, health check, backend, a prediction playground built from its input schema, and its charts.
import { api, enc, session, ApiError } from "../api.js";
import { h, fill, section, table, field, act, fmt, badge, facts, json, confirmDialog, announce, errorBox } from "../ui.js";
import { timelineCharts } from "../chart.js";

const PROVIDERS = ["builtin", "openai", "huggingface", "http", "onnx", "sentence_transformers"];

export async function render(container, [model], ctx) {
  if (model) {
    await renderModel(container, model, ctx);
    return;
  }
  const list = h("div");
  const load = async () => {
    const page = await api.get("/api/models?limit=100");
    // Status and circuit live in each model's grain: one read per listed model, once per load (not polled).
    const states = await Promise.all(page.models.map(m => api.get(`/api/models/${enc(m.model_id)}/status`).catch(() => null)));
    const stateOf = m => states[page.models.indexOf(m)];
    fill(list, table({
      label: "Models",
      columns: [
        { label: "Model", value: m => h("a", { href: `#/models/${enc(m.model_id)}` }, `${m.name}@${m.version}`) },
        { label: "Provider", value: m => m.provider ?? h("span", { class: "muted" }, "none (not deployed)") },
        { label: "Status", value: m => badge(m.status) },
        { label: "Circuit", value: m => stateOf(m) ? badge(stateOf(m).circuit) : "—" },
        { label: "Last health check", value: m => stateOf(m)?.last_health_check ? [badge(stateOf(m).last_health_check_passed ? "ok" : "failed"), " ", fmt.ago(stateOf(m).last_health_check)] : "never" },
        { label: "Owner", value: m => m.owner },
        { label: "Id", value: m => h("code", {}, m.model_id) },
      ],
      rows: page.models, empty: "No models registered.",
    }), page.total > page.models.length ? h("p", { class: "muted" }, `Showing ${page.models.length} of ${page.total}.`) : null);
  };
  container.append(h("div", { class: "toolbar" }, h("h1", {}, "Models")),
    session.can("write") ? section("Register a model", registerForms(id => ctx.navigate(`#/models/${enc(id)}`))) : null,
    section("Registered models", list));
  await load();
}

function registerForms(opened) {
  // Two ways in: a form for the common case, or the JSON body the user guide shows, pasted as is.
  const name = field({ label: "Name", name: "name", required: true, help: "Lowercase letters, digits, - and _." });
  const version = field({ label: "Version", name: "version", value: "1.0.0" });
  const description = field({ label: "Description", name: "description" });
  const provider = field({ label: "Provider", name: "provider", type: "select", value: "builtin", options: [{ value: "", label: "none (register without a backend)" }, ...PROVIDERS] });
  const config = field({ label: "Config (JSON)", name: "config", type: "textarea", rows: 3, value: '{"model": "sentiment"}', help: "What the provider needs: see docs/extending-backends.md." });
  const formOutput = h("div");
  const submitForm = h("button", { type: "submit", class: "primary" }, "Register");
  const form = h("form", {
    "aria-label": "Register from a form", on: {
      submit: async event => {
        event.preventDefault();
        const body = { name: name.control.value.trim(), version: version.control.value.trim() || undefined, description: description.control.value.trim() || undefined };
        if (provider.control.value) {
          body.provider = provider.control.value;
          const parsed = parseJson(config.control.value, "config", formOutput);
          if (parsed === undefined) return;
          body.config = parsed;
        }
        const created = await act(submitForm, formOutput, () => api.post("/api/models", body));
        if (created) { announce(`Registered ${created.name}@${created.version}.`); opened(created.model_id); }
      },
    },
  }, h("div", { class: "row" }, name, version, provider), description, config, h("div", { class: "actions" }, submitForm), formOutput);

  const pasted = field({ label: "Registration JSON", name: "registration", type: "textarea", rows: 10, placeholder: '{"name": "sentiment-analyzer", "version": "1.0.0", "input_schema": {…}}',
    help: "The body of POST /api/models, e.g. the user guide's example, sent exactly as pasted." });
  const pasteOutput = h("div");
  const submitPaste = h("button", { type: "submit", class: "primary" }, "Register JSON");
  const paste = h("form", {
    "aria-label": "Register from JSON", on: {
      submit: async event => {
        event.preventDefault();
        const text = pasted.control.value;
        if (parseJson(text, "registration", pasteOutput) === undefined) return;
        const created = await act(submitPaste, pasteOutput, () => api.post("/api/models", text));
        if (created) { announce(`Registered ${created.name}@${created.version}.`); opened(created.model_id); }
      },
    },
  }, pasted, h("div", { class: "actions" }, submitPaste), pasteOutput);
  return h("div", { class: "grid" }, h("div", {}, h("h3", {}, "From a form"), form), h("div", {}, h("h3", {}, "From JSON"), paste));
}

/** Parses JSON typed by the user; shows where it fails and returns undefined. */
function parseJson(text, what, output) {
  try {
    return JSON.parse(text);
  } catch (error) {
    output.replaceChildren(errorBox(`The ${what} is not valid JSON: ${error.message}`));
    return undefined;
  }
}

async function renderModel(container, ref, ctx) {
  const model = await api.get(`/api/models/${enc(ref)}`);
  const id = model.model_id;
  const reload = () => ctx.navigate(location.hash);
  const status = h("div");
  const charts = timelineCharts();
  const versions = h("div");
  const canWrite = session.can("write");
  container.append(
    h("div", { class: "toolbar" }, h("h1", {}, `${model.name}@${model.version}`), h("a", { href: "#/models" }, "All models")),
    h("div", { class: "grid" },
      section("Model", facts([
        ["Id", h("code", {}, id)], ["Description", model.description], ["Provider", model.provider ?? "none: registered without a backend"],
        ["Task", model.task], ["Capabilities", (model.capabilities ?? []).join(", ")], ["Owner", model.owner], ["Aliases", (model.aliases ?? []).join(", ")],
        ["Created", fmt.time(model.created_at)], ["Updated", fmt.time(model.updated_at)],
      ]), canWrite ? modelActions(model, reload) : null),
      section("Status", status)),
    section("Last hour", charts.node),
    session.can("execute") ? section("Prediction playground", playground(model)) : null,
    section("Versions and aliases", versions),
    !model.provider && canWrite ? section("Attach a backend", attachForm(model, reload)) : null,
    section("Schemas", h("div", { class: "grid" }, h("div", {}, h("h3", {}, "Input"), json(model.input_schema)), h("div", {}, h("h3", {}, "Output"), json(model.output_schema)))));

  await renderVersions(versions, model, canWrite, reload);
  await ctx.poll(async () => {
    const [state, timeline] = await Promise.all([api.get(`/api/models/${enc(id)}/status`), api.get(`/api/models/${enc(id)}/metrics/timeline?minutes=60`).catch(() => null)]);
    if (!ctx.isCurrent()) return;
    fill(status, facts([
      ["Status", badge(state.status)], ["Circuit", badge(state.circuit)], ["Consecutive failures", fmt.number(state.consecutive_failures)],
      ["Requests (provider calls)", fmt.number(state.total_requests)], ["Average latency", state.average_latency],
      ["Last health check", state.last_health_check ? [badge(state.last_health_check_passed ? "ok" : "failed"), " ", fmt.time(state.last_health_check)] : "never"],
      ["Last error", state.last_error ? `${state.last_error} (${fmt.time(state.last_error_at)})` : "none"],
    ]));
    charts.update(timeline);
  }, 5000);
}

function modelActions(model, reload) {
  const output = h("div");
  const check = h("button", { type: "button" }, "Run health check now");
  check.addEventListener("click", async () => {
    const result = await act(check, output, () => api.post(`/api/models/${enc(model.model_id)}/health-check`));
    if (result) announce(`Health check ${result.last_health_check_passed ? "passed" : "failed"}${result.last_error ? `: ${result.last_error}` : ""}.`);
  });
  const maintenance = h("button", { type: "button" }, model.status === "maintenance" ? "End maintenance" : "Put in maintenance");
  maintenance.addEventListener("click", async () => {
    const done = await act(maintenance, output, () => api.patch(`/api/models/${enc(model.model_id)}`, { status: model.status === "maintenance" ? "active" : "maintenance" }), "Status changed.");
    if (done) reload();
  });
  const remove = h("button", { type: "button", class: "danger" }, "Delete");
  remove.addEventListener("click", async () => {
    if (!await confirmDialog(`Delete ${model.name}@${model.version}?`, "The model is removed from the registry; predictions with it fail from now on.", "Delete")) return;
    const done = await act(remove, output, () => api.del(`/api/models/${enc(model.model_id)}`).then(() => true), "Model deleted.");
    if (done) location.hash = "#/models";
  });
  return h("div", {}, h("div", { class: "actions" }, check, model.provider ? maintenance : null, remove), output);
}

async function renderVersions(target, model, canWrite, reload) {
  const names = await api.get(`/api/models/names/${enc(model.name)}`);
  const aliasName = field({ label: "Alias", name: "alias", placeholder: "production", required: true });
  const aliasVersion = field({ label: "Version", name: "version", type: "select", value: model.version, options: names.versions.map(v => v.version) });
  const output = h("div");
  const submit = h("button", { type: "submit" }, "Set alias");
  fill(target,
    table({
      label: "Versions", columns: [
        { label: "Version", value: v => v.model_id === model.model_id ? h("strong", {}, v.version, " (this one)") : h("a", { href: `#/models/${enc(v.model_id)}` }, v.version) },
        { label: "Status", value: v => badge(v.status) }, { label: "Provider", value: v => v.provider ?? "none" }, { label: "Created", value: v => fmt.time(v.created_at) },
      ], rows: names.versions,
    }),
    table({
      label: "Aliases", columns: [
        { label: "Alias", value: a => h("code", {}, `${a.name}@${a.alias}`) }, { label: "Version", value: a => a.version },
        { label: "Actions", value: a => canWrite && a.alias !== "latest" ? removeAliasButton(model.name, a.alias, output, reload) : "" },
      ], rows: names.aliases, empty: "No aliases.",
    }),
    canWrite ? h("form", {
      class: "row", "aria-label": "Set an alias", on: {
        submit: async event => {
          event.preventDefault();
          const done = await act(submit, output, () => api.put(`/api/models/names/${enc(model.name)}/aliases/${enc(aliasName.control.value.trim())}`, { version: aliasVersion.control.value }), "Alias set.");
          if (done) reload();
        },
      },
    }, aliasName, aliasVersion, h("div", { class: "actions" }, submit)) : null, output);
}

function removeAliasButton(name, alias, output, reload) {
  const button = h("button", { type: "button", class: "small danger", "aria-label": `Remove alias ${alias}` }, "Remove");
  button.addEventListener("click", async () => {
    const done = await act(button, output, () => api.del(`/api/models/names/${enc(name)}/aliases/${enc(alias)}`).then(() => true), `Alias ${alias} removed.`);
    if (done) reload();
  });
  return button;
}

function attachForm(model, reload) {
  const provider = field({ label: "Provider", name: "provider", type: "select", value: "builtin", options: PROVIDERS });
  const config = field({ label: "Config (JSON)", name: "config", type: "textarea", rows: 3, value: '{"model": "sentiment"}' });
  const output = h("div");
  const submit = h("button", { type: "submit", class: "primary" }, "Attach");
  return h("form", {
    on: {
      submit: async event => {
        event.preventDefault();
        const parsed = parseJson(config.control.value, "config", output);
        if (parsed === undefined) return;
        const done = await act(submit, output, () => api.patch(`/api/models/${enc(model.model_id)}`, { provider: provider.control.value, config: parsed }), "Backend attached.");
        if (done) reload();
      },
    },
  }, h("p", { class: "muted" }, "Predictions answer 409 model_not_deployed until a backend is attached."), h("div", { class: "row" }, provider), config, h("div", { class: "actions" }, submit), output);
}

/**
 * A form built from the model's input schema: one control per top-level property (text, number, checkbox, or a
 * select for an enum; JSON for objects and arrays), with the schema's required, bounds and lengths as the controls'
 * own constraints, so the browser checks them before anything is sent; the model's own validation answers the rest,
 * and a 400 naming a field is shown at that field. A schema the form cannot express is edited as JSON.
 */
function playground(model) {
  const schema = model.input_schema ?? {};
  const properties = schema.type === "object" || schema.properties ? Object.entries(schema.properties ?? {}) : [];
  const required = new Set(schema.required ?? []);
  const controls = properties.map(([name, property]) => [name, property, propertyField(name, property, required.has(name))]);
  const raw = field({ label: "Input (JSON)", name: "input", type: "textarea", rows: 6, value: JSON.stringify(example(schema), null, 2) });
  let mode = controls.length > 0 ? "form" : "json";
  const formPart = h("div", { class: "playground-form" }, controls.map(c => c[2]));
  const jsonPart = h("div", {}, raw);
  const switcher = h("button", { type: "button", class: "link" });
  const showMode = () => {
    formPart.hidden = mode !== "form";
    jsonPart.hidden = mode !== "json";
    switcher.textContent = mode === "form" ? "Edit as JSON" : "Edit as a form";
    switcher.hidden = controls.length === 0;
  };
  switcher.addEventListener("click", () => {
    if (mode === "form") raw.control.value = JSON.stringify(collect(controls), null, 2);
    mode = mode === "form" ? "json" : "form";
    showMode();
  });
  showMode();
  const output = h("div", { class: "prediction", "aria-live": "polite" });
  const submit = h("button", { type: "submit", class: "primary" }, "Predict");
  return h("form", {
    "aria-label": "Prediction playground", on: {
      submit: async event => {
        event.preventDefault();
        controls.forEach(c => c[2].querySelector(".field-error")?.remove());
        let input;
        if (mode === "form") {
          input = collect(controls, output);
          if (input === undefined) return;
        } else {
          input = parseJson(raw.control.value, "input", output);
          if (input === undefined) return;
        }
        const started = performance.now();
        submit.disabled = true;
        output.replaceChildren();
        try {
          const result = await api.post(`/api/models/${enc(model.model_id)}/predict`, input);
          output.replaceChildren(h("p", {}, `Answered in ${fmt.ms(performance.now() - started)}:`), json(result));
        } catch (error) {
          output.replaceChildren(errorBox(error));
          // The gateway names the offending input field ("text", or "input.text"): show the complaint there too.
          const named = error instanceof ApiError && error.field ? controls.find(c => c[0] === error.field.replace(/^input\./, "").split(/[.[]/)[0]) : null;
          if (named && mode === "form") named[2].append(h("p", { class: "field-error error" }, error.detail));
          return;
        } finally {
          submit.disabled = false;
        }
        announce("Prediction done.");
      },
    },
  }, h("p", { class: "muted" }, "The input is checked against the model's input schema: by the form's own constraints, then by the gateway."),
    formPart, jsonPart, h("div", { class: "actions" }, submit, switcher), output);
}

function propertyField(name, property, required) {
  const type = Array.isArray(property.type) ? property.type.find(t => t !== "null") : property.type;
  const label = `${name}${property.description ? ` — ${property.description}` : ""}`;
  if (Array.isArray(property.enum)) {
    return field({ label, name, type: "select", required, options: [...(required ? [] : [{ value: "", label: "(leave out)" }]), ...property.enum.map(v => ({ value: JSON.stringify(v), label: String(v) }))] });
  }
  if (type === "boolean") return field({ label, name, type: "checkbox" });
  if (type === "number" || type === "integer") {
    return field({ label, name, type: "number", required, min: property.minimum ?? null, max: property.maximum ?? null, step: type === "integer" ? "1" : "any" });
  }
  if (type === "string") {
    const wrapper = field({ label, name, type: (property.maxLength ?? 1000) > 200 ? "textarea" : "text", rows: 3, required, value: property.default ?? "" });
    if (property.minLength) wrapper.control.minLength = property.minLength;
    if (property.maxLength) wrapper.control.maxLength = property.maxLength;
    if (property.pattern) wrapper.control.pattern = property.pattern;
    return wrapper;
  }
  const wrapper = field({ label: `${label} (JSON)`, name, type: "textarea", rows: 3, required, value: JSON.stringify(example(property)) });
  wrapper.json = true;
  return wrapper;
}

/** The form's values as the model's input; undefined (with the error shown) when a JSON part does not parse. */
function collect(controls, output) {
  const input = {};
  for (const [name, property, wrapper] of controls) {
    const control = wrapper.control;
    if (control.type === "checkbox") { input[name] = control.checked; continue; }
    const text = control.value;
    if (text === "") continue;
    if (wrapper.json || control.tagName === "SELECT") {
      try { input[name] = JSON.parse(text); } catch (error) { output?.replaceChildren(errorBox(`${name} is not valid JSON: ${error.message}`)); return undefined; }
    } else if (control.type === "number") {
      input[name] = Number(text);
    } else {
      input[name] = text;
    }
  }
  return input;
}

function example(schema) {
  if (!schema || typeof schema !== "object") return null;
  if (schema.default !== undefined) return schema.default;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type.find(t => t !== "null") : schema.type;
  switch (type) {
    case "object": return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([n, p]) => [n, example(p)]));
    case "array": return [];
    case "string": return "";
    case "number": case "integer": return 0;
    case "boolean": return false;
    default: return schema.properties ? example({ ...schema, type: "object" }) : null;
  }
}
