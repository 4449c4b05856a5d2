// Draws the plotly figures that the server built (measures/charts.py).
//
// Progressive enhancement only: without JavaScript the page shows the chart
// summary and the data table.  Markup this file expects:
//
//   {{ figure|json_script:"chart-data-42" }}
//   <div id="chart-42" class="thrive-chart" data-chart="chart-data-42"
//        data-chart-filename="referrals-received" aria-describedby="chart-42-summary"></div>
//   <button type="button" class="nhsuk-button nhsuk-button--secondary" hidden
//           data-chart-download="png" data-chart-target="chart-42">Download chart (PNG)</button>
//
// plotly.js must be loaded first with a classic deferred script
// (<script src="{% static 'vendor/plotly/plotly-basic.min.js' %}" defer>); this file is a
// module, and modules run after deferred scripts, in document order.
// No inline scripts anywhere, so a strict Content-Security-Policy holds.

const MODEBAR_REMOVE = [
  "lasso2d",
  "select2d",
  "autoScale2d",
  "toggleSpikelines",
  "hoverClosestCartesian",
  "hoverCompareCartesian",
];
const DOWNLOAD_SIZE = { width: 1200, height: 600 };

function plotly() {
  return window.Plotly;
}

function readFigure(el) {
  const source = document.getElementById(el.dataset.chart);
  if (!source) return null;
  try {
    return JSON.parse(source.textContent);
  } catch (err) {
    console.error("charts.js: figure is not valid JSON", el.dataset.chart, err);
    return null;
  }
}

function filenameFor(el, fig) {
  return (
    el.dataset.chartFilename ||
    (fig && fig.layout && fig.layout.meta && fig.layout.meta.filename) ||
    "chart"
  );
}

function showDownloadButtons(el) {
  if (!el.id) return;
  for (const button of document.querySelectorAll("[data-chart-download]")) {
    if (button.dataset.chartTarget === el.id) button.hidden = false;
  }
}

function draw(el) {
  const Plotly = plotly();
  if (!Plotly || el.dataset.chartDrawn === "true") return;
  const fig = readFigure(el);
  if (!fig) return;
  el.dataset.chartDrawn = "true";
  // The chart is a picture of the numbers that the summary and table give in words.
  if (!el.hasAttribute("role")) el.setAttribute("role", "img");
  if (!el.hasAttribute("aria-label") && !el.hasAttribute("aria-labelledby")) {
    const title = fig.layout && fig.layout.title && fig.layout.title.text;
    el.setAttribute(
      "aria-label",
      (title ? `Chart: ${title}. ` : "Chart. ") + "The summary and data table give the same information.",
    );
  }
  Plotly.newPlot(el, fig.data, fig.layout, {
    responsive: true,
    displaylogo: false,
    modeBarButtonsToRemove: MODEBAR_REMOVE,
    toImageButtonOptions: { filename: filenameFor(el, fig), ...DOWNLOAD_SIZE },
  }).then(() => showDownloadButtons(el));
}

function drawAll(root) {
  const scope = root && root.querySelectorAll ? root : document;
  const found = Array.from(scope.querySelectorAll("[data-chart]"));
  if (scope !== document && scope.matches && scope.matches("[data-chart]")) found.push(scope);
  found.forEach(draw);
}

function purgeWithin(root) {
  const Plotly = plotly();
  if (!Plotly || !root || !root.querySelectorAll) return;
  const drawn = Array.from(root.querySelectorAll("[data-chart-drawn='true']"));
  if (root.dataset && root.dataset.chartDrawn === "true") drawn.push(root);
  for (const el of drawn) {
    Plotly.purge(el);
    delete el.dataset.chartDrawn;
  }
}

function onDownloadClick(event) {
  const button = event.target.closest("[data-chart-download]");
  if (!button) return;
  const Plotly = plotly();
  const el = document.getElementById(button.dataset.chartTarget);
  if (!Plotly || !el || el.dataset.chartDrawn !== "true") return;
  event.preventDefault();
  const format = button.dataset.chartDownload === "svg" ? "svg" : "png";
  Plotly.downloadImage(el, {
    format,
    filename: filenameFor(el, readFigure(el)),
    ...DOWNLOAD_SIZE,
  });
}

function start() {
  document.documentElement.classList.add("thrive-charts-js");
  drawAll(document);
  document.addEventListener("click", onDownloadClick);
  // htmx swaps in fragments that may hold charts (e.g. "#run-chart"); draw those
  // and free the plotly state of charts about to be replaced.
  document.body.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.shouldSwap) purgeWithin(event.detail.target);
  });
  document.body.addEventListener("htmx:afterSwap", () => drawAll(document));
}

if (plotly()) {
  start();
} else {
  // plotly.js missing or still loading (e.g. loaded without defer): try again once the page has loaded.
  window.addEventListener("load", () => plotly() && start(), { once: true });
}
