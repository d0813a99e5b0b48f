// Web push on this device: on a click, ask permission, subscribe with the server's VAPID key
// and hand the subscription to the API (session cookie + CSRF). The service worker (/sw.js)
// shows what arrives.
(function () {
  "use strict";

  var panel = document.querySelector("[data-push-panel]");
  if (!panel) { return; }
  var button = panel.querySelector("[data-push-enable]");
  var status = panel.querySelector("[data-push-status]");

  function say(key) {
    var text = panel.getAttribute("data-msg-" + key) || key;
    status.textContent = text;
    panel.setAttribute("data-push-state", key);
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  function api(path, options) {
    options = options || {};
    options.credentials = "same-origin";
    options.headers = Object.assign({ "Accept": "application/json" }, options.headers || {});
    return fetch(path, options).then(function (response) {
      if (!response.ok) { throw new Error("api " + response.status); }
      return response.json();
    });
  }

  var supported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  if (!supported) {
    say("unsupported");
    button.disabled = true;
    return;
  }
  if (Notification.permission === "denied") { say("denied"); }

  // Say so when this browser is already subscribed.
  navigator.serviceWorker.getRegistration("/").then(function (registration) {
    if (!registration || !registration.pushManager) { return null; }
    return registration.pushManager.getSubscription();
  }).then(function (existing) {
    if (existing) { say("on"); }
  }).catch(function () { /* nothing to report before the person asks */ });

  button.addEventListener("click", function () {
    button.disabled = true;
    say("working");
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") { throw new Error("denied"); }
      return navigator.serviceWorker.register("/sw.js", { scope: "/" });
    }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      return api(panel.getAttribute("data-key-url")).then(function (data) {
        return registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(data.public_key)
        });
      });
    }).then(function (subscription) {
      var body = subscription.toJSON();
      return api(panel.getAttribute("data-subscribe-url"), {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": panel.getAttribute("data-csrf") },
        body: JSON.stringify({ endpoint: body.endpoint, keys: { p256dh: body.keys.p256dh, auth: body.keys.auth } })
      });
    }).then(function () {
      say("on");
    }).catch(function (error) {
      say(error && error.message === "denied" ? "denied" : "failed");
      button.disabled = false;
    });
  });
})();
