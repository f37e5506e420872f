// A table wider than a phone's screen scrolls sideways (see ntm.css); keyboard users must be
// able to scroll it too, so such a table takes the focus (WCAG 2.1.1, axe
// "scrollable-region-focusable"). Checked again when the screen turns or htmx swaps content.
(function () {
  function focusable() {
    document.querySelectorAll("table.table, figure.chart").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1) {
        el.setAttribute("tabindex", "0");
      } else if (el.getAttribute("tabindex") === "0") {
        el.removeAttribute("tabindex");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", focusable);
  window.addEventListener("resize", focusable);
  document.addEventListener("htmx:afterSettle", focusable);
})();

// Data entry from the keyboard: Enter saves a value (the form's htmx submit) and moves on to
// the next value, as in a spreadsheet; the row is swapped by the answer, so the focus is put
// on the next row's field once it has settled.
(function () {
  var next = null;
  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || !field.matches || !field.matches(".inline-value [name=value]")) {
      return;
    }
    var row = field.closest("tr");
    next = row ? row.id : null;
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!next) return;
    var row = document.getElementById(next);
    next = null;
    if (!row) return;
    var fields = Array.prototype.slice.call(
      document.querySelectorAll(".inline-value [name=value]:not([type=hidden])")
    );
    var here = fields.indexOf(row.querySelector("[name=value]"));
    // A refused value keeps the focus on its own field, with the reason beside it.
    var target = row.querySelector("[role=alert]") ? fields[here] : fields[here + 1];
    if (target) target.focus();
  });
})();
