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
