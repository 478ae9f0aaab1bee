/*
 * Draws the Vega-Lite charts of the indicators pages. Each chart is
 *
 *   <div data-vega-chart data-spec-id="chart-trend-spec" data-error-message="…"></div>
 *   <script type="application/json" id="chart-trend-spec">{…Vega-Lite specification…}</script>
 *
 * built in Python (indicators/charts.py) with its data inline. The page's CSP has no 'unsafe-eval', so Vega
 * runs in its CSP-safe mode: expressions parsed to an AST (ast: true) and evaluated by vega-interpreter
 * (https://vega.github.io/vega/usage/interpreter/). vega-embed's own style sheet and the tooltip's are not
 * injected (style-src 'self'): indicators.css styles them. The table under each chart is its text
 * alternative; a chart that cannot be drawn shows its error message instead.
 */
(function () {
  "use strict";

  // Italian number formats (d3-format locale): 1.234,5 and € after the amount.
  var ITALIAN = { decimal: ",", thousands: ".", grouping: [3], currency: ["", "\u00a0€"] };

  function fail(element) {
    element.classList.add("indicator-chart--failed");
    element.textContent = element.getAttribute("data-error-message") || "";
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-spec-id"));
    if (!source || typeof vegaEmbed !== "function" || typeof vegaInterpreter === "undefined") {
      fail(element);
      return;
    }
    var spec;
    try {
      spec = JSON.parse(source.textContent);
    } catch (error) {
      fail(element);
      return;
    }
    vegaEmbed(element, spec, {
      mode: "vega-lite",
      renderer: "svg",
      actions: false,
      ast: true,
      expr: vegaInterpreter.expressionInterpreter,
      defaultStyle: false,
      tooltip: { disableDefaultStyle: true },
      formatLocale: ITALIAN
    })
      .then(function () {
        element.setAttribute("data-rendered", "true");
      })
      .catch(function () {
        fail(element);
      });
  }

  function drawAll() {
    document.querySelectorAll("[data-vega-chart]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
