/*
 * The questionnaire builder (insights/_builder.html): htmx swaps in the builder that the server sends back
 * after a refused change too (a 400 with the form's errors or the reason in the status line), which htmx
 * otherwise leaves unswapped.
 */
(function () {
  "use strict";

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status === 400 && target && target.id === "builder") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
