// Shows a question only when the answer it depends on has the expected value (data-show-if names the
// controlling field, data-show-equals the value; for checkboxes, one of the ticked options). The server
// applies the same rule (insights.rules.answers), so this is only a convenience for the person filling in.
(function () {
  "use strict";
  const form = document.getElementById("response-form");
  if (!form) {
    return;
  }
  const dependants = Array.from(form.querySelectorAll("[data-show-if]"));

  function valuesOf(name) {
    const inputs = Array.from(form.elements).filter(function (el) { return el.name === name; });
    const values = [];
    inputs.forEach(function (input) {
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) {
          values.push(input.value);
        }
      } else if (input.value !== "") {
        values.push(input.value);
      }
    });
    return values;
  }

  function isShown(wrapper, seen) {
    if (!wrapper.dataset.showIf) {
      return true;
    }
    const controller = form.querySelector('[data-field="' + wrapper.dataset.showIf + '"]');
    if (controller && controller !== wrapper && !seen.has(controller) && !isShown(controller, new Set([...seen, wrapper]))) {
      return false;
    }
    return valuesOf(wrapper.dataset.showIf).indexOf(wrapper.dataset.showEquals) !== -1;
  }

  function refresh() {
    dependants.forEach(function (wrapper) {
      wrapper.hidden = !isShown(wrapper, new Set());
    });
  }

  form.addEventListener("change", refresh);
  form.addEventListener("input", refresh);
  refresh();
})();
