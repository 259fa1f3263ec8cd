/* Backline's service worker: shows pages pushed to this browser, opens Backline on tap.

   It caches nothing and handles no fetches: Backline's pages hold private data and
   must never be served from a cache, least of all on a shared console. The payload is
   lock-screen safe by design (no names, no call details). Served from
   /notify/service-worker.js with "Service-Worker-Allowed: /" so its scope is the site. */
"use strict";

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

/* Shows a pushed message. A page offers "I'll take it": one tap posts the key the push
   carried (docs/adr/0013). */
function showPushed(data) {
  var title = typeof data.title === "string" && data.title ? data.title : "Backline";
  var options = {
    body: typeof data.body === "string" ? data.body : "",
    data: { url: typeof data.url === "string" ? data.url : "" },
    requireInteraction: true,
  };
  var action = data.action;
  if (action && typeof action.title === "string" && typeof action.url === "string") {
    options.actions = [{ action: "take", title: action.title }];
    options.data.take = action.url;
  }
  return self.registration.showNotification(title, options);
}

self.addEventListener("push", function (event) {
  var data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  event.waitUntil(showPushed(data && typeof data === "object" ? data : {}));
});

function sameOrigin(url) {
  try {
    var target = new URL(url || "/", self.location.origin);
    return target.origin === self.location.origin ? target.href : self.location.origin + "/";
  } catch (error) {
    return self.location.origin + "/";
  }
}

function show(target) {
  return self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
    for (var i = 0; i < windows.length; i += 1) {
      if (windows[i].url === target && "focus" in windows[i]) {
        return windows[i].focus();
      }
    }
    return self.clients.openWindow(target);
  });
}

/* "I'll take it": post the page's key; signed in, the request is taken and its page
   opens (or, where the browser will not open a window, a notification says so). Taken
   by another peer or ended, a notification says so plainly. Not signed in, or anything
   else: the page's own link opens, to sign in and answer there. */
function take(data) {
  var fallback = sameOrigin(data.url);
  return fetch(sameOrigin(data.take), {
    method: "POST",
    credentials: "same-origin",
    redirect: "manual",
    headers: { Accept: "application/json" },
  })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("not taken here");
      }
      return response.json();
    })
    .then(function (result) {
      var next = sameOrigin(result.url);
      var said = { body: String(result.body || ""), data: { url: next } };
      if (result.outcome === "taken" || result.outcome === "yours") {
        return show(next).catch(function () {
          return self.registration.showNotification(String(result.title || "Backline"), said);
        });
      }
      return self.registration.showNotification(String(result.title || "Backline"), said);
    })
    .catch(function () {
      return show(fallback);
    });
}

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var data = event.notification.data || {};
  if (event.action === "take" && typeof data.take === "string") {
    event.waitUntil(take(data));
    return;
  }
  event.waitUntil(show(sameOrigin(data.url)));
});
