import { h } from "../ui.js";

export async function render(container) {
  container.append(h("h1", {}, "Alerts"), h("p", {}, "Not built yet."));
}
