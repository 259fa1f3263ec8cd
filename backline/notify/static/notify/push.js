/* Backline: turn on browser notifications (web push) for this device.
   No inline script (CSP script-src 'self'): texts and URLs come from data- attributes
   on #push-setup, which the server renders in the person's language. */
(function () {
  "use strict";

  var section = document.getElementById("push-setup");
  if (!section) {
    return;
  }
  var form = document.getElementById("push-form");
  var status = document.getElementById("push-status");
  var data = section.dataset;

  function say(text) {
    if (status) {
      status.textContent = text;
    }
  }

  var supported =
    "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  if (!form || !data.vapidPublicKey) {
    return;
  }
  if (!supported) {
    say(data.unsupported);
    return;
  }
  form.hidden = false;

  function applicationServerKey(base64url) {
    var padded = base64url + "===".slice((base64url.length + 3) % 4);
    var raw = window.atob(padded.replace(/-/g, "+").replace(/_/g, "/"));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function csrfToken() {
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  async function subscribe() {
    var permission = await Notification.requestPermission();
    if (permission !== "granted") {
      say(data.denied);
      return;
    }
    await navigator.serviceWorker.register(data.worker, { scope: "/" });
    var registration = await navigator.serviceWorker.ready;
    var subscription = await registration.pushManager.getSubscription();
    if (!subscription) {
      subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: applicationServerKey(data.vapidPublicKey),
      });
    }
    var response = await fetch(data.subscribe, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({
        subscription: subscription.toJSON(),
        label: form.elements.label ? form.elements.label.value : "",
      }),
    });
    if (!response.ok) {
      throw new Error("subscribe answered " + response.status);
    }
    say(data.done);
    window.location.reload();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
    }
    say(data.working);
    subscribe()
      .catch(function () {
        say(data.failed);
      })
      .finally(function () {
        if (button) {
          button.disabled = false;
        }
      });
  });
})();
