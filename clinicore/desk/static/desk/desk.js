// Front desk behaviours: the scan box (keyboard-wedge scanners and the camera), live board
// refreshes over the websocket, and printing. Plain JS; htmx does the requests.
(function () {
  "use strict";

  function focusScan() {
    var input = document.querySelector("[data-scan-input]");
    if (input) { input.value = ""; input.focus(); }
  }

  // After each scan the box is cleared and focused again, ready for the next card.
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.target && event.target.id === "scan-form") {
      var source = document.querySelector("[data-scan-source]");
      if (source) { source.value = "wedge"; }
      focusScan();
    }
  });

  // Camera scanning where the browser has the BarcodeDetector API (Chrome on Android, etc.).
  var cameraButton = document.querySelector("[data-camera-scan]");
  if (cameraButton && "BarcodeDetector" in window && navigator.mediaDevices) {
    cameraButton.hidden = false;
    cameraButton.addEventListener("click", function () {
      var video = document.querySelector("[data-scan-video]");
      var detector = new window.BarcodeDetector({ formats: ["qr_code", "code_128", "code_39", "ean_13"] });
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        video.play();
        var tries = 0;
        function stop() {
          stream.getTracks().forEach(function (t) { t.stop(); });
          video.hidden = true;
        }
        function look() {
          tries += 1;
          if (tries > 600) { stop(); return; }  // about a minute at most
          detector.detect(video).then(function (codes) {
            if (codes.length) {
              stop();
              var input = document.querySelector("[data-scan-input]");
              var source = document.querySelector("[data-scan-source]");
              input.value = codes[0].rawValue;
              if (source) { source.value = "camera"; }
              input.form.requestSubmit();
            } else {
              window.setTimeout(look, 100);
            }
          }).catch(function () { window.setTimeout(look, 250); });
        }
        look();
      }).catch(function () { cameraButton.disabled = true; });
    });
  }

  // Live board: any change to the clinic's appointments asks htmx to reload the rows.
  var board = document.querySelector("[data-live-topic]");
  if (board && "WebSocket" in window) {
    var attempts = 0;
    var connect = function () {
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      var socket = new WebSocket(scheme + window.location.host + "/ws/live/?topic=" + encodeURIComponent(board.dataset.liveTopic));
      socket.addEventListener("message", function (event) {
        var data = {};
        try { data = JSON.parse(event.data); } catch (e) { return; }
        if (data.event && data.event.indexOf("appointment.") === 0 && window.htmx) {
          window.htmx.trigger(document.body, "board-refresh");
        }
        if (data.event === "ready") { attempts = 0; board.dataset.live = "on"; }
      });
      socket.addEventListener("close", function () {
        board.dataset.live = "off";
        attempts += 1;
        if (attempts < 20) { window.setTimeout(connect, Math.min(30000, 1000 * attempts)); }
      });
    };
    connect();
  }

  // Selecting a service on the phone booking form looks up the next free time.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit-get]") && el.form) {
      var refresh = el.form.querySelector("[name=refresh]");
      if (refresh) { refresh.click(); }
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.matches && event.target.matches("[data-print]")) { window.print(); }
  });
})();
