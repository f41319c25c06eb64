// Small DOM helpers: every page is built from these, so labels, captions and live announcements are never forgotten.

/** h("button", {class: "x", on: {click}}, "text", child, [more]) */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "on") {
      for (const [event, handler] of Object.entries(value)) element.addEventListener(event, handler);
    } else if (name === "class") {
      element.className = value;
    } else if (name === "text") {
      element.textContent = value;
    } else if (name in element && typeof value !== "string") {
      element[name] = value;
    } else {
      element.setAttribute(name, value === true ? "" : value);
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of an element. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

let ids = 0;
export const uid = prefix => `${prefix}-${++ids}`;

/** A page section with a heading it is labelled by. */
export function section(title, ...children) {
  const id = uid("section");
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), ...children);
}

/**
 * A table with a caption: columns are {label, value: row => text | Node, numeric?}.
 * An empty list shows `empty` in a single cell instead of an empty table body.
 */
export function table({ caption, columns, rows, empty = "Nothing here yet.", label }) {
  const head = h("thead", {}, h("tr", {}, columns.map(c => h("th", { scope: "col", class: c.numeric ? "num" : null }, c.label))));
  const body = h("tbody", {}, rows.length === 0
    ? h("tr", {}, h("td", { colspan: String(columns.length), class: "empty" }, empty))
    : rows.map(row => h("tr", {}, columns.map((c, i) => {
      const value = c.value(row);
      return h(i === 0 ? "th" : "td", { scope: i === 0 ? "row" : null, class: c.numeric ? "num" : null }, value ?? "—");
    }))));
  return h("div", { class: "table-wrap" }, h("table", { "aria-label": label ?? null }, caption ? h("caption", {}, caption) : null, head, body));
}

/**
 * A labelled form control. type: text | password | number | select | textarea | checkbox | checkboxes.
 * Returns the wrapper; the control is `.control` on it (for checkboxes, `.controls`).
 */
export function field({ label, name, type = "text", value, required, options = [], help, placeholder, rows, min, max, step, autocomplete, spellcheck }) {
  const id = uid(name ?? "field");
  const helpId = help ? `${id}-help` : null;
  let control;
  if (type === "select") {
    control = h("select", { id, name, required },
      options.map(o => typeof o === "string" ? { value: o, label: o } : o).map(o => h("option", { value: o.value, selected: o.value === value }, o.label)));
  } else if (type === "textarea") {
    control = h("textarea", { id, name, required, rows: String(rows ?? 6), placeholder, spellcheck: spellcheck ?? "false" });
    control.value = value ?? "";
  } else if (type === "checkbox") {
    control = h("input", { id, name, type: "checkbox", checked: Boolean(value) });
    const wrapper = h("div", { class: "field check" }, control, h("label", { for: id }, label), help ? h("p", { id: helpId, class: "help" }, help) : null);
    if (helpId) control.setAttribute("aria-describedby", helpId);
    wrapper.control = control;
    return wrapper;
  } else if (type === "checkboxes") {
    const boxes = options.map(o => typeof o === "string" ? { value: o, label: o } : o).map(o => {
      const boxId = uid(name);
      const box = h("input", { id: boxId, type: "checkbox", name, value: o.value, checked: (value ?? []).includes(o.value) });
      return { box, node: h("span", { class: "check" }, box, h("label", { for: boxId }, o.label)) };
    });
    const wrapper = h("fieldset", { class: "field" }, h("legend", {}, label), boxes.map(b => b.node), help ? h("p", { class: "help" }, help) : null);
    wrapper.controls = boxes.map(b => b.box);
    wrapper.values = () => boxes.filter(b => b.box.checked).map(b => b.box.value);
    return wrapper;
  } else {
    control = h("input", { id, name, type, required, placeholder, min, max, step, autocomplete: autocomplete ?? "off", spellcheck: spellcheck ?? "false" });
    if (value !== undefined && value !== null) control.value = value;
  }
  if (helpId) control.setAttribute("aria-describedby", helpId);
  const wrapper = h("div", { class: "field" }, h("label", { for: id }, label, required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null), control,
    help ? h("p", { id: helpId, class: "help" }, help) : null);
  wrapper.control = control;
  return wrapper;
}

/** Polite announcement in the status bar (screen readers read it too). */
export function announce(message) {
  const status = document.getElementById("status");
  status.textContent = message;
  status.classList.add("shown");
  clearTimeout(announce.timer);
  announce.timer = setTimeout(() => status.classList.remove("shown"), 6000);
}

/** An error box for a failed call: the API's error code and detail, and the field it names. */
export function errorBox(error) {
  const box = h("div", { class: "error", role: "alert" });
  if (error?.status) {
    box.append(h("strong", {}, `${error.status} ${error.code ?? ""}`), " ", error.detail ?? "", error.field ? h("span", { class: "muted" }, ` (field: ${error.field})`) : "");
  } else {
    box.append(String(error?.message ?? error));
  }
  return box;
}

/** Runs an action from a form or button: disables it meanwhile, shows the error under it, announces success. */
export async function act(button, output, action, success) {
  button.disabled = true;
  output?.replaceChildren();
  try {
    const result = await action();
    if (success) announce(typeof success === "function" ? success(result) : success);
    return result;
  } catch (error) {
    if (output) output.append(errorBox(error));
    else announce(`Failed: ${error.message}`);
    return undefined;
  } finally {
    button.disabled = false;
  }
}

/** A modal dialog; resolves true when confirmed. Escape and Cancel resolve false. */
export function confirmDialog(title, message, confirmLabel = "Confirm") {
  return new Promise(resolve => {
    const titleId = uid("dialog");
    const dialog = h("dialog", { "aria-labelledby": titleId },
      h("h2", { id: titleId }, title), h("p", {}, message),
      h("div", { class: "actions" },
        h("button", { type: "button", class: "danger", on: { click: () => dialog.close("yes") } }, confirmLabel),
        h("button", { type: "button", on: { click: () => dialog.close("no") } }, "Cancel")));
    dialog.addEventListener("close", () => { dialog.remove(); resolve(dialog.returnValue === "yes"); });
    document.body.append(dialog);
    dialog.showModal();
  });
}

/** Shows a secret exactly once, with a copy button; the dialog is removed (and the secret gone from the page) on close. */
export function secretDialog(title, secret, note) {
  return new Promise(resolve => {
    const titleId = uid("dialog");
    const output = h("output", { class: "secret", id: uid("secret") }, secret);
    const copied = h("span", { class: "muted", "aria-live": "polite" });
    const dialog = h("dialog", { "aria-labelledby": titleId, class: "secret-dialog" },
      h("h2", { id: titleId }, title),
      h("p", {}, note ?? "This is the only time the secret is shown. Copy it now and keep it somewhere safe."),
      output,
      h("div", { class: "actions" },
        h("button", {
          type: "button", class: "primary", on: {
            click: async () => {
              try {
                await navigator.clipboard.writeText(secret);
                copied.textContent = "Copied.";
              } catch {
                // No clipboard permission (an http page other than localhost): select it for Ctrl+C instead.
                getSelection().selectAllChildren(output);
                copied.textContent = "Selected: press Ctrl+C to copy.";
              }
            },
          },
        }, "Copy"),
        h("button", { type: "button", on: { click: () => dialog.close() } }, "Done"), copied));
    dialog.addEventListener("close", () => { dialog.remove(); resolve(); });
    document.body.append(dialog);
    dialog.showModal();
  });
}

export const fmt = {
  number: n => n === null || n === undefined ? "—" : Number(n).toLocaleString("en-US"),
  ms: n => n === null || n === undefined ? "—" : `${Number(n) < 10 ? Number(n).toFixed(1) : Math.round(Number(n))} ms`,
  percent: n => n === null || n === undefined ? "—" : `${(Number(n) * 100).toFixed(Number(n) < 0.1 ? 2 : 1)}%`,
  time: t => t ? new Date(t).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "medium" }) : "—",
  ago: t => {
    if (!t) return "never";
    const seconds = Math.round((Date.now() - new Date(t).getTime()) / 1000);
    if (seconds < 60) return `${Math.max(seconds, 0)} s ago`;
    if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
    if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
    return `${Math.round(seconds / 86400)} d ago`;
  },
};

/** A status word with a colour that is never the only signal (the word is always shown). */
export function badge(text, kind) {
  const tone = kind ?? ({
    active: "ok", ready: "ok", ok: "ok", closed: "ok", healthy: "ok", resolved: "ok", delivered: "ok",
    revoked: "bad", error: "bad", open: "bad", firing: "bad", failed: "bad", unhealthy: "bad", dead: "bad", critical: "bad",
    pending: "warn", half_open: "warn", degraded: "warn", maintenance: "warn", expired: "warn", warning: "warn", rotated: "warn",
  }[String(text).toLowerCase()] ?? "neutral");
  return h("span", { class: `badge ${tone}` }, String(text));
}

/** A gauge (meter element, labelled) for a used/limit pair; no limit shows "no limit". */
export function gauge(label, used, limit, unit = "") {
  const id = uid("gauge");
  if (limit === null || limit === undefined) {
    return h("div", { class: "gauge" }, h("span", { id }, label), h("span", { class: "gauge-value" }, `${fmt.number(used)}${unit} (no limit)`));
  }
  return h("div", { class: "gauge" },
    h("label", { for: id }, label),
    h("meter", { id, min: "0", max: String(limit), value: String(Math.min(used, limit)), low: String(limit * 0.7), high: String(limit * 0.9), optimum: "0" }),
    h("span", { class: "gauge-value" }, `${fmt.number(used)} of ${fmt.number(limit)}${unit}`));
}

/** Key-value facts as a description list. */
export function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.filter(p => p).map(([name, value]) => [h("dt", {}, name), h("dd", {}, value ?? "—")]));
}

export function json(value) {
  return h("pre", { class: "json", tabindex: "0" }, JSON.stringify(value, null, 2));
}

/**
 * Tabs (WAI-ARIA tabs pattern): [{label, panel: Node}] → {node, select(index)}. Left/Right/Home/End move between tabs;
 * only the selected tab is in the tab order and only its panel is shown.
 */
export function tabs(label, items, { onSelect } = {}) {
  const buttons = [];
  const panels = [];
  const select = (index, focus = false) => {
    buttons.forEach((b, i) => {
      const selected = i === index;
      b.setAttribute("aria-selected", String(selected));
      b.tabIndex = selected ? 0 : -1;
      panels[i].hidden = !selected;
    });
    if (focus) buttons[index].focus();
    onSelect?.(index);
  };
  items.forEach((item, index) => {
    const tabId = uid("tab");
    const panelId = uid("tabpanel");
    buttons.push(h("button", {
      type: "button", role: "tab", id: tabId, "aria-controls": panelId, on: {
        click: () => select(index),
        keydown: event => {
          const last = items.length - 1;
          const next = { ArrowRight: index === last ? 0 : index + 1, ArrowLeft: index === 0 ? last : index - 1, Home: 0, End: last }[event.key];
          if (next === undefined) return;
          event.preventDefault();
          select(next, true);
        },
      },
    }, item.label));
    panels.push(h("div", { role: "tabpanel", id: panelId, "aria-labelledby": tabId, class: "tabpanel" }, item.panel));
  });
  select(0);
  return { node: h("div", {}, h("div", { role: "tablist", class: "tabs", "aria-label": label }, buttons), panels), select };
}

/** A JSON value as a table cell's text: null as "null", objects and arrays as compact JSON. */
export function cellText(value) {
  if (value === null) return "null";
  if (value === undefined) return "—";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}
