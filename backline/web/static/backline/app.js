/* Backline on every page: registers the service worker, so that pushed pages arrive
   and, offline, a page with 988 shows instead of the browser's error. Its address
   comes from this script tag (no inline script: CSP script-src 'self'). */
(function () {
  "use strict";

  var script = document.currentScript;
  var worker = script && script.dataset.serviceWorker;
  if (!worker || !("serviceWorker" in navigator)) {
    return;
  }
  navigator.serviceWorker.register(worker, { scope: "/" }).catch(function () {
    // Backline works without it; only the offline page and push are missing.
  });
})();
