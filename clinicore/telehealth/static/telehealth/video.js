// Video visit: WebRTC between the patient and the practitioner, signalled over
// /ws/telehealth/<appointment>/. Waiting room, admit, devices, mute, camera off, screen share,
// connection-quality hint and end of call. Plain JS, no framework.
(function () {
  "use strict";

  var root = document.querySelector("[data-video]");
  if (!root) { return; }
  var d = root.dataset;
  var statusEl = root.querySelector("[data-video-status]");
  var qualityEl = root.querySelector("[data-video-quality]");
  var localVideo = root.querySelector("[data-local-video]");
  var remoteVideo = root.querySelector("[data-remote-video]");
  var remoteAudio = root.querySelector("[data-remote-audio]");
  var buttons = {};
  root.querySelectorAll("[data-action]").forEach(function (b) { buttons[b.dataset.action] = b; });

  var socket = null;
  var pc = null;
  var localStream = null;
  var screenTrack = null;
  var role = d.role;
  var iceConfig = { iceServers: [], iceTransportPolicy: "all" };
  var pendingCandidates = [];
  var admitted = false;
  var ended = false;
  var statsTimer = null;
  var mediaReady = Promise.resolve();
  // Candidates received from the other side, kept for diagnostics (and the end-to-end test).
  root.receivedCandidates = [];

  function setState(state, text) {
    root.dataset.state = state;
    if (text !== undefined) { statusEl.textContent = text; }
  }

  function send(obj) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(obj)); }
  }

  function fillDevices() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.enumerateDevices) { return Promise.resolve(); }
    return navigator.mediaDevices.enumerateDevices().then(function (devices) {
      root.querySelectorAll("[data-device]").forEach(function (select) {
        var kind = select.dataset.device;
        var current = localStream && localStream.getTracks().filter(function (t) { return t.kind + "input" === kind; })[0];
        var currentId = current && current.getSettings ? current.getSettings().deviceId : "";
        select.textContent = "";
        devices.filter(function (dev) { return dev.kind === kind; }).forEach(function (dev, i) {
          var option = document.createElement("option");
          option.value = dev.deviceId;
          option.textContent = dev.label || ((kind === "videoinput" ? d.labelCamera : d.labelMicrophone) + " " + (i + 1));
          if (dev.deviceId === currentId) { option.selected = true; }
          select.appendChild(option);
        });
      });
    });
  }

  function getMedia(constraints) {
    return navigator.mediaDevices.getUserMedia(constraints || { video: true, audio: true }).then(function (stream) {
      localStream = stream;
      localVideo.srcObject = stream;
      return fillDevices();
    });
  }

  function createPeer() {
    if (pc) { pc.close(); }
    pc = new RTCPeerConnection(iceConfig);
    root.dataset.connection = "new";
    if (localStream) {
      localStream.getTracks().forEach(function (track) { pc.addTrack(track, localStream); });
    }
    pc.addEventListener("icecandidate", function (event) {
      if (event.candidate) {
        send({ type: "signal", data: { kind: "candidate", candidate: event.candidate.toJSON() } });
      }
    });
    pc.addEventListener("track", function (event) {
      // Video plays muted (always allowed); the sound plays on its own element, which a browser
      // may hold back until the person clicks: then offer a button.
      if (remoteVideo.srcObject !== event.streams[0]) {
        remoteVideo.srcObject = event.streams[0];
        remoteAudio.srcObject = event.streams[0];
        remoteVideo.play().catch(function () {});
        remoteAudio.play().catch(function () { if (buttons.sound) { buttons.sound.hidden = false; } });
      }
      if (event.track.kind === "video") { root.dataset.remoteTrack = "video"; }
    });
    pc.addEventListener("connectionstatechange", function () {
      root.dataset.connection = pc.connectionState;
      if (pc.connectionState === "connected") {
        setState("connected", d.labelConnected);
        startStats();
      } else if (pc.connectionState === "failed" && role === "practitioner" && !ended) {
        offer(true);
      }
    });
    return pc;
  }

  // Offers can cross (a join and an admit arriving together, a slow phone): the practitioner's
  // side tries again with a fresh negotiation until the call connects.
  var offerRetry = null;
  var OFFER_RETRY_MS = 8000;

  function offer(restart) {
    if (!pc || restart) {
      pendingCandidates = [];
      createPeer();
    }
    clearTimeout(offerRetry);
    offerRetry = setTimeout(function () {
      if (!ended && pc && pc.connectionState !== "connected") { offer(true); }
    }, OFFER_RETRY_MS);
    return pc.createOffer().then(function (o) { return pc.setLocalDescription(o); }).then(function () {
      send({ type: "signal", data: { kind: "offer", sdp: pc.localDescription.sdp } });
    });
  }

  function flushCandidates() {
    var queued = pendingCandidates;
    pendingCandidates = [];
    queued.forEach(function (c) { pc.addIceCandidate(c).catch(function () {}); });
  }

  function onSignal(data) {
    if (data.kind === "offer") {
      mediaReady.then(function () {
        createPeer();
        return pc.setRemoteDescription({ type: "offer", sdp: data.sdp });
      }).then(function () {
        flushCandidates();
        return pc.createAnswer();
      }).then(function (answer) { return pc.setLocalDescription(answer); }).then(function () {
        send({ type: "signal", data: { kind: "answer", sdp: pc.localDescription.sdp } });
      });
    } else if (data.kind === "answer" && pc) {
      pc.setRemoteDescription({ type: "answer", sdp: data.sdp }).then(flushCandidates);
    } else if (data.kind === "candidate") {
      root.receivedCandidates.push(data.candidate.candidate);
      if (pc && pc.remoteDescription) {
        pc.addIceCandidate(data.candidate).catch(function () {});
      } else {
        pendingCandidates.push(data.candidate);
      }
    }
  }

  // A hint from getStats: round-trip time and video packet loss.
  function startStats() {
    if (statsTimer) { return; }
    var last = { lost: 0, received: 0 };
    statsTimer = window.setInterval(function () {
      if (!pc) { return; }
      pc.getStats().then(function (report) {
        var rtt = null;
        var lost = 0;
        var received = 0;
        report.forEach(function (s) {
          if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded" && s.currentRoundTripTime !== undefined) {
            rtt = s.currentRoundTripTime;
          }
          if (s.type === "inbound-rtp" && s.kind === "video") {
            lost += s.packetsLost || 0;
            received += s.packetsReceived || 0;
          }
        });
        var dl = lost - last.lost;
        var dr = received - last.received;
        last = { lost: lost, received: received };
        var loss = dr + dl > 0 ? dl / (dr + dl) : 0;
        var quality = "good";
        if ((rtt !== null && rtt > 0.4) || loss > 0.08) { quality = "poor"; }
        else if ((rtt !== null && rtt > 0.15) || loss > 0.02) { quality = "fair"; }
        root.dataset.quality = quality;
        qualityEl.textContent = d["labelQuality" + quality.charAt(0).toUpperCase() + quality.slice(1)];
      });
    }, 2000);
  }

  function stopAll() {
    if (statsTimer) { window.clearInterval(statsTimer); statsTimer = null; }
    if (pc) { pc.close(); pc = null; }
    if (localStream) { localStream.getTracks().forEach(function (t) { t.stop(); }); }
    if (screenTrack) { screenTrack.stop(); }
    remoteVideo.srcObject = null;
    remoteAudio.srcObject = null;
  }

  function handle(msg) {
    switch (msg.event) {
      case "hello":
        role = msg.role;
        iceConfig = { iceServers: msg.ice_servers || [], iceTransportPolicy: msg.ice_transport_policy || "all" };
        admitted = msg.room === "live";
        mediaReady = getMedia().catch(function () { setState("no-media"); });
        mediaReady.then(function () {
          if (admitted && role === "practitioner") { offer(true); }
        });
        if (role === "patient" && !admitted) { setState("waiting", d.labelWaiting); }
        if (role === "practitioner" && !admitted) { setState("waiting-for-patient", d.labelWaitingForPatient); }
        if (admitted) { setState("connecting", d.labelConnecting); }
        break;
      case "waiting":
        if (role === "practitioner" && !admitted) {
          setState("patient-waiting", msg.name + " " + d.labelPatientWaiting);
          buttons.admit.hidden = false;
        }
        break;
      case "peer.joined":
        // Someone new arrived: tell them we are here; a returning patient gets a fresh offer.
        if (!msg.reply) {
          send({ type: "present" });
          if (admitted && role === "practitioner" && msg.role === "patient") {
            mediaReady.then(function () { offer(true); });
          }
        }
        break;
      case "admitted":
        admitted = true;
        if (buttons.admit) { buttons.admit.hidden = true; }
        setState("connecting", d.labelConnecting);
        if (role === "practitioner") { mediaReady.then(function () { offer(true); }); }
        break;
      case "signal":
        onSignal(msg.data);
        break;
      case "peer.left":
        if (!ended && admitted) { setState("peer-left", d.labelLeft); }
        break;
      case "ended":
        ended = true;
        stopAll();
        setState("ended", d.labelEnded);
        break;
      case "error":
        statusEl.textContent = msg.detail || "";
        break;
      default:
        break;
    }
  }

  function connect() {
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + d.wsPath;
    socket = new WebSocket(url);
    var opened = false;
    socket.addEventListener("open", function () { opened = true; });
    socket.addEventListener("message", function (event) {
      var msg;
      try { msg = JSON.parse(event.data); } catch (e) { return; }
      handle(msg);
    });
    socket.addEventListener("close", function () {
      if (!opened) { setState("refused", d.labelRefused); return; }
      if (!ended) { window.setTimeout(connect, 2000); }
    });
  }

  function toggle(button, tracks) {
    var off = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", off ? "true" : "false");
    tracks.forEach(function (t) { t.enabled = !off; });
  }

  function replaceTrack(track) {
    if (!pc) { return; }
    pc.getSenders().forEach(function (sender) {
      if (sender.track && sender.track.kind === track.kind) { sender.replaceTrack(track); }
    });
  }

  buttons.sound.addEventListener("click", function () {
    remoteAudio.play().then(function () { buttons.sound.hidden = true; }).catch(function () {});
  });
  buttons.admit && buttons.admit.addEventListener("click", function () { send({ type: "admit" }); });
  buttons.mute.addEventListener("click", function () { if (localStream) { toggle(buttons.mute, localStream.getAudioTracks()); } });
  buttons.camera.addEventListener("click", function () { if (localStream) { toggle(buttons.camera, localStream.getVideoTracks()); } });
  buttons.share.addEventListener("click", function () {
    if (screenTrack) {
      screenTrack.stop();
      return;
    }
    if (!navigator.mediaDevices.getDisplayMedia) { return; }
    navigator.mediaDevices.getDisplayMedia({ video: true }).then(function (stream) {
      screenTrack = stream.getVideoTracks()[0];
      buttons.share.setAttribute("aria-pressed", "true");
      replaceTrack(screenTrack);
      screenTrack.addEventListener("ended", function () {
        screenTrack = null;
        buttons.share.setAttribute("aria-pressed", "false");
        if (localStream) { replaceTrack(localStream.getVideoTracks()[0]); }
      });
    }).catch(function () {});
  });
  if (buttons.end) { buttons.end.addEventListener("click", function () { send({ type: "end" }); }); }
  if (buttons.leave) {
    buttons.leave.addEventListener("click", function () {
      ended = true;
      stopAll();
      if (socket) { socket.close(); }
      setState("left", d.labelEnded);
    });
  }
  root.querySelectorAll("[data-device]").forEach(function (select) {
    select.addEventListener("change", function () {
      var kind = select.dataset.device === "videoinput" ? "video" : "audio";
      var constraints = {};
      constraints[kind] = { deviceId: { exact: select.value } };
      navigator.mediaDevices.getUserMedia(constraints).then(function (stream) {
        var track = stream.getTracks()[0];
        var old = localStream.getTracks().filter(function (t) { return t.kind === kind; })[0];
        if (old) { localStream.removeTrack(old); old.stop(); }
        localStream.addTrack(track);
        replaceTrack(track);
      }).catch(function () {});
    });
  });

  connect();
})();
