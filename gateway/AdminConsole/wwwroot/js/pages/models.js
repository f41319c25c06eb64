import { h } from "../ui.js";

export async function render(container) {
  container.append(h("h1", {}, "TITLE"), h("p", {}, "Not built yet."));
}
