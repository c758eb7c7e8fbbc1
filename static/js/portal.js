// The navigation's menus (no inline scripts): one open at a time, closed by a click elsewhere or
// Escape. The menus work without this file, only less tidily.
(function () {
  "use strict";
  function groups() { return document.querySelectorAll("details.navgroup"); }
  document.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!opened.matches || !opened.matches("details.navgroup") || !opened.open) return;
    groups().forEach(function (d) { if (d !== opened) d.open = false; });
  }, true);
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("details.navgroup")) return;
    groups().forEach(function (d) { d.open = false; });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") groups().forEach(function (d) { d.open = false; });
  });
})();
