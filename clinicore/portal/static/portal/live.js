// Live appointment status: the part of the page marked [data-live-ws] is fetched again when the
// clinic changes one of the person's appointments (announced over a websocket), and on a timer:
// often while the websocket is down, rarely while it is up (some changes announce nothing).
(function () {
  "use strict";
  var box = document.querySelector("[data-live-ws][data-live-partial]");
  if (!box || !window.fetch) { return; }
  var POLL_OFFLINE = 15000;
  var POLL_ONLINE = 60000;
  var MAX_RECONNECTS = 20;
  var timer = null;
  var attempts = 0;
  var loading = false;
  var queued = false;

  function typing() {
    var el = document.activeElement;
    return el && box.contains(el) && (el.tagName === "INPUT" || el.tagName === "TEXTAREA") && el.value;
  }

  function refresh() {
    if (loading || typing()) { queued = true; return; }
    loading = true;
    queued = false;
    fetch(box.dataset.livePartial, { credentials: "same-origin", headers: { "X-Live-Refresh": "1" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html !== null && html.trim() && box.innerHTML !== html) { box.innerHTML = html; }
      })
      .catch(function () {})
      .then(function () {
        loading = false;
        if (queued) { window.setTimeout(refresh, 1000); }
      });
  }

  function poll(every) {
    if (timer) { window.clearInterval(timer); }
    timer = window.setInterval(function () {
      if (!document.hidden) { refresh(); }
    }, every);
  }

  function connect() {
    if (!("WebSocket" in window)) { return; }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket;
    try {
      socket = new WebSocket(scheme + window.location.host + box.dataset.liveWs);
    } catch (e) {
      return;
    }
    socket.addEventListener("message", function (event) {
      var data = {};
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.event === "ready") {
        attempts = 0;
        box.dataset.live = "on";
        poll(POLL_ONLINE);
      } else if (data.event === "appointment.changed") {
        refresh();
      }
    });
    socket.addEventListener("close", function () {
      box.dataset.live = "off";
      poll(POLL_OFFLINE);
      attempts += 1;
      if (attempts < MAX_RECONNECTS) { window.setTimeout(connect, Math.min(30000, 1000 * attempts)); }
    });
  }

  box.dataset.live = "off";
  poll(POLL_OFFLINE);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { refresh(); }
  });
  connect();
})();
