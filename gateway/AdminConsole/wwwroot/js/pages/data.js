import { h } from "../ui.js";

export async function render(container) {
  container.append(h("h1", {}, "Data sources"), h("p", {}, "Not built yet."));
}
