// Wide tables and diagrams scroll inside a .thrive-scroll region (the CSS draws a shadow on an
// edge with more beyond it). This writes the cue in words above a region while it is wider than
// its box, and removes it when a wider window lets everything fit; it also marks which edges
// have more beyond them, so the CSS can fade those edges of pictures whose own background
// hides the shadow.
const HINT_CLASS = "thrive-scroll__hint";

function edges(region) {
  const rest = region.scrollWidth - region.clientWidth - region.scrollLeft;
  region.toggleAttribute("data-more-left", region.scrollLeft > 1);
  region.toggleAttribute("data-more-right", rest > 1);
}

function update(region) {
  edges(region);
  const overflowing = region.scrollWidth > region.clientWidth + 1;
  let hint = region.previousElementSibling;
  if (!hint || !hint.classList.contains(HINT_CLASS)) {
    if (!overflowing) return;
    hint = document.createElement("p");
    hint.className = HINT_CLASS;
    // The region's own label says the same to assistive technology.
    hint.setAttribute("aria-hidden", "true");
    hint.textContent = "Scroll sideways to see all";
    region.before(hint);
  }
  hint.hidden = !overflowing;
}

const observer = new ResizeObserver((entries) => {
  for (const entry of entries) update(entry.target);
});

function watch(root) {
  for (const region of root.querySelectorAll(".thrive-scroll")) {
    observer.observe(region);
    region.addEventListener("scroll", () => edges(region), { passive: true });
  }
}

watch(document);
// Fragments swapped in by htmx bring regions of their own.
document.body.addEventListener("htmx:afterSettle", (event) => watch(event.target));
