// Progressive enhancement for the toolkit: after htmx swaps part of an item's page in place,
// the button that was pressed no longer exists, so move focus to what changed: the error
// summary of a refused form, else the status message saying what was done.
document.body.addEventListener("htmx:afterSettle", () => {
  const body = document.getElementById("item-body");
  if (!body) return;
  const target = body.querySelector(".nhsuk-error-summary") || body.querySelector("[role=status]");
  if (!target) return;
  target.setAttribute("tabindex", "-1");
  target.focus();
});
