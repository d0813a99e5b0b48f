// Portal behaviours: the installable app's service worker, full-screen patient card, printing.
(function () {
  "use strict";
  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {});
    });
  }
  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-fullscreen],[data-print]") : null;
    if (!el) { return; }
    if (el.hasAttribute("data-print")) { event.preventDefault(); window.print(); return; }
    var target = document.getElementById(el.getAttribute("data-fullscreen"));
    if (target && target.requestFullscreen) {
      event.preventDefault();
      target.requestFullscreen().catch(function () { window.location = el.href; });
    }
  });
})();
