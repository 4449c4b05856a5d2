// An htmx request that fails says so where the reader was looking, never nothing (issue 12.2).
// htmx does not swap an error answer in, so without this a failed click would seem to do
// nothing. The message goes just before the request's target, in the design system's error
// style; when the server sent one of our error pages its heading and first paragraph are used.
const CLASS = "thrive-htmx-error";
const OFFLINE = "You are offline or the server could not be reached. Check your connection and try again.";
const DEFAULT = "Sorry, there is a problem with the service. Try again.";

function sentence(text) {
  const clean = (text || "").replace(/\s+/g, " ").trim();
  return clean && !/[.!?]$/.test(clean) ? `${clean}.` : clean;
}

function fromErrorPage(xhr) {
  const type = xhr.getResponseHeader("Content-Type") || "";
  if (!type.startsWith("text/html") || !xhr.responseText) return "";
  const doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
  const main = doc.querySelector("main") || doc.body;
  const heading = main && main.querySelector("h1");
  if (!heading) return "";
  const paragraph = main.querySelector("h1 ~ p");
  const parts = [sentence(heading.textContent), sentence(paragraph && paragraph.textContent)];
  if (xhr.status >= 500) parts.push("Try again.");
  return parts.filter(Boolean).join(" ");
}

function anchorOf(event) {
  const target = event.detail.target || event.detail.elt;
  return target && target.isConnected ? target : document.querySelector("main");
}

function clear(anchor) {
  const previous = anchor && anchor.previousElementSibling;
  if (previous && previous.classList.contains(CLASS)) previous.remove();
}

function show(event, text) {
  const anchor = anchorOf(event);
  if (!anchor) return;
  clear(anchor);
  const message = document.createElement("p");
  message.className = `nhsuk-error-message ${CLASS}`;
  message.setAttribute("role", "alert");
  const hidden = document.createElement("span");
  hidden.className = "nhsuk-u-visually-hidden";
  hidden.textContent = "Error: ";
  message.append(hidden, text);
  anchor.before(message);
}

document.addEventListener("htmx:beforeRequest", (event) => clear(anchorOf(event)));
document.addEventListener("htmx:responseError", (event) => {
  show(event, fromErrorPage(event.detail.xhr) || DEFAULT);
});
document.addEventListener("htmx:sendError", (event) => show(event, OFFLINE));
document.addEventListener("htmx:timeout", (event) => show(event, OFFLINE));
