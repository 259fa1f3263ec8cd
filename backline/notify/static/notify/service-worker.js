/* Backline's service worker: shows pages pushed to this browser, opens Backline on tap,
   and shows the offline page (988, the EAP line) when a page cannot load.

   It caches only the offline page, which names nobody, and the files that page names in
   its Link header: Backline's pages hold private data and are never served from a
   cache, least of all on a shared console (signing out clears the cache too). The push
   payload is lock-screen safe by design (no names, no call details). Served from
   /notify/service-worker.js with "Service-Worker-Allowed: /" so its scope is the site. */
"use strict";

var OFFLINE_CACHE = "backline-offline-v1";
var OFFLINE_PAGE = "/offline/";

function preloaded(response) {
  var links = response.headers.get("Link") || "";
  return Array.from(links.matchAll(/<([^>]+)>/g), function (match) {
    return match[1];
  });
}

function keepOfflinePage() {
  return fetch(OFFLINE_PAGE, { credentials: "same-origin", redirect: "error" })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("the offline page answered " + response.status);
      }
      // a fresh cache, so that files the page no longer names do not linger
      return caches
        .delete(OFFLINE_CACHE)
        .then(function () {
          return caches.open(OFFLINE_CACHE);
        })
        .then(function (cache) {
          return cache.addAll(preloaded(response)).then(function () {
            return cache.put(OFFLINE_PAGE, response);
          });
        });
    })
    .catch(function () {
      // pushed pages matter more: carry on without the offline page
    });
}

self.addEventListener("install", function (event) {
  event.waitUntil(
    keepOfflinePage().then(function () {
      return self.skipWaiting();
    })
  );
});

// a page just signed in asks for the offline page again: it names their agency's EAP line
self.addEventListener("message", function (event) {
  if (event.data === "keep-offline-page") {
    event.waitUntil(keepOfflinePage());
  }
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name !== OFFLINE_CACHE;
            })
            .map(function (name) {
              return caches.delete(name);
            })
        );
      })
      .then(function () {
        return self.clients.claim();
      })
  );
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request).catch(function () {
        return caches.match(OFFLINE_PAGE).then(function (page) {
          return page || Response.error();
        });
      })
    );
  } else if (new URL(request.url).pathname.startsWith("/static/")) {
    // the offline page's own files; anything else offline fails as it would
    event.respondWith(
      fetch(request).catch(function (error) {
        return caches.match(request).then(function (cached) {
          if (!cached) {
            throw error;
          }
          return cached;
        });
      })
    );
  }
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
  if (typeof data.tag === "string" && data.tag) {
    options.tag = data.tag; /* one outbox message, one notification, however often sent */
  }
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
