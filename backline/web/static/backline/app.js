/* Backline on every page: registers the service worker, so that pushed pages arrive
   and, offline, a page with 988 and the EAP line shows instead of the browser's error.
   Its address comes from this script tag (no inline script: CSP script-src 'self'). */
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

  // Once signed in (once per tab), the offline page is kept again with the person's own
  // EAP line; signing out clears it with the rest of the site's storage.
  var KEPT = "backline-offline-page-kept";
  if ("signedIn" in script.dataset && !window.sessionStorage.getItem(KEPT)) {
    navigator.serviceWorker.ready.then(function (registration) {
      registration.active.postMessage("keep-offline-page");
      window.sessionStorage.setItem(KEPT, "1");
    });
  }
})();
