// Live chat: messages, read receipts, typing, attachments, edit/delete. Plain JS, no framework.
// The page renders the thread; this file keeps it live over /ws/chat/<id>/ and falls back to the
// form post when the websocket is down.
(function () {
  "use strict";

  var EDIT_WINDOW_MS = 15 * 60 * 1000;

  function wsUrl(path) {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path;
  }

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function Chat(root) {
    this.root = root;
    this.side = root.dataset.side;
    this.log = root.querySelector("[data-chat-log]");
    this.status = root.querySelector("[data-chat-status]");
    this.typing = root.querySelector("[data-chat-typing]");
    this.form = root.querySelector("[data-chat-form]");
    this.text = root.querySelector("[data-chat-text]");
    this.file = root.querySelector("[data-chat-file]");
    this.error = root.querySelector("[data-chat-error]");
    this.attempts = 0;
    this.lastTypingSent = 0;
    this.typingTimer = null;
    this.bind();
    this.decorateAll();
    this.connect();
  }

  Chat.prototype.setStatus = function (state, text) {
    this.root.dataset.state = state;
    if (this.status) { this.status.textContent = text || ""; }
  };

  Chat.prototype.connect = function () {
    var self = this;
    var socket = new WebSocket(wsUrl(this.root.dataset.wsPath));
    this.socket = socket;
    socket.addEventListener("open", function () {
      self.attempts = 0;
      self.setStatus("open", "");
      self.readLatest();
    });
    socket.addEventListener("message", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      self.handle(data);
    });
    socket.addEventListener("close", function (event) {
      self.setStatus("closed", "");
      if (event.code === 4403 || event.code === 4401 || self.attempts >= 8) { return; }
      self.attempts += 1;
      window.setTimeout(function () { self.connect(); }, Math.min(30000, 500 * Math.pow(2, self.attempts)));
    });
    if (!this.pinger) {
      this.pinger = window.setInterval(function () { self.send({ type: "ping" }); }, 30000);
    }
  };

  Chat.prototype.send = function (obj) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(obj));
      return true;
    }
    return false;
  };

  Chat.prototype.handle = function (data) {
    switch (data.event) {
      case "message.new":
      case "message.updated":
      case "message.deleted":
        this.upsert(data.message);
        if (data.event === "message.new" && data.message.sender_side !== this.side) {
          this.hideTyping();
          this.markRead(data.message.id);
        }
        break;
      case "sent":
        if (data.message) { this.upsert(data.message); }
        break;
      case "read":
        if (data.side !== this.side) { this.showSeen(data.read_at); }
        break;
      case "typing":
        if (data.side !== this.side) { this.showTyping(data.name); }
        break;
      case "error":
        this.showError(data.detail);
        break;
      default:
        break;
    }
  };

  Chat.prototype.markRead = function (messageId) {
    if (document.visibilityState === "hidden") { this.pendingRead = messageId; return; }
    this.send({ type: "read", message_id: messageId });
  };

  Chat.prototype.readLatest = function () {
    var theirs = this.log.querySelectorAll(".chat-theirs");
    if (theirs.length) { this.markRead(theirs[theirs.length - 1].dataset.messageId); }
  };

  Chat.prototype.showSeen = function (readAt) {
    var until = Date.parse(readAt);
    this.log.querySelectorAll(".chat-mine").forEach(function (li) {
      if (Date.parse(li.dataset.created) <= until) {
        var seen = li.querySelector("[data-seen]");
        if (seen) { seen.hidden = false; }
      }
    });
  };

  Chat.prototype.showTyping = function (name) {
    var self = this;
    this.typing.textContent = name + " " + this.root.dataset.labelTyping;
    this.typing.hidden = false;
    window.clearTimeout(this.typingTimer);
    this.typingTimer = window.setTimeout(function () { self.hideTyping(); }, 4000);
  };

  Chat.prototype.hideTyping = function () {
    if (this.typing) { this.typing.hidden = true; }
  };

  Chat.prototype.showError = function (text) {
    if (!this.error) { return; }
    this.error.textContent = text || "";
    this.error.hidden = !text;
  };

  Chat.prototype.render = function (m) {
    var d = this.root.dataset;
    var li = el("li", "chat-msg " + (m.sender_side === this.side ? "chat-mine" : "chat-theirs"));
    li.dataset.messageId = m.id;
    li.dataset.created = m.created_at;
    li.dataset.side = m.sender_side;
    li.appendChild(el("span", "chat-sender", m.sender_name));
    if (m.deleted) {
      li.appendChild(el("p", "chat-text chat-deleted", d.labelDeleted));
    } else {
      if (m.text) { li.appendChild(el("p", "chat-text", m.text)); }
      if (m.attachment) {
        var p = el("p", "chat-file");
        var a = el("a", "", m.attachment.filename);
        a.href = m.attachment.url;
        a.target = "_blank";
        a.rel = "noopener";
        p.appendChild(a);
        li.appendChild(p);
      }
    }
    var meta = el("span", "chat-meta");
    var time = el("time", "", m.created_at.slice(11, 16));
    time.setAttribute("datetime", m.created_at);
    meta.appendChild(time);
    if (m.edited_at && !m.deleted) { meta.appendChild(document.createTextNode(" · " + d.labelEdited)); }
    if (m.sender_side === this.side) {
      var seen = el("span", "chat-seen", " · " + d.labelSeen);
      seen.setAttribute("data-seen", "");
      seen.hidden = !m.read;
      meta.appendChild(seen);
    }
    li.appendChild(meta);
    return li;
  };

  Chat.prototype.upsert = function (m) {
    var empty = this.log.querySelector("[data-chat-empty]");
    if (empty) { empty.remove(); }
    var existing = this.log.querySelector('[data-message-id="' + m.id + '"]');
    var li = this.render(m);
    if (existing) {
      var wasSeen = existing.querySelector("[data-seen]:not([hidden])");
      if (wasSeen && li.querySelector("[data-seen]")) { li.querySelector("[data-seen]").hidden = false; }
      existing.replaceWith(li);
    } else {
      this.log.appendChild(li);
      li.scrollIntoView({ block: "end" });
    }
    this.decorate(li);
  };

  // Edit and delete buttons on one's own side, within the edit window.
  Chat.prototype.decorate = function (li) {
    var self = this;
    var d = this.root.dataset;
    if (!li.classList.contains("chat-mine") || li.querySelector(".chat-deleted") || li.querySelector(".chat-actions")) { return; }
    if (Date.now() - Date.parse(li.dataset.created) > EDIT_WINDOW_MS) { return; }
    var actions = el("span", "chat-actions");
    var edit = el("button", "btn btn-ghost btn-small", d.labelEdit);
    edit.type = "button";
    edit.addEventListener("click", function () {
      var current = li.querySelector(".chat-text");
      var text = window.prompt(d.labelEditPrompt, current ? current.textContent : "");
      if (text !== null) { self.api("PUT", "/messages/" + li.dataset.messageId, { text: text }); }
    });
    var del = el("button", "btn btn-ghost btn-small", d.labelDelete);
    del.type = "button";
    del.addEventListener("click", function () { self.api("DELETE", "/messages/" + li.dataset.messageId); });
    actions.appendChild(edit);
    actions.appendChild(del);
    li.appendChild(actions);
  };

  Chat.prototype.decorateAll = function () {
    var self = this;
    this.log.querySelectorAll(".chat-mine").forEach(function (li) { self.decorate(li); });
  };

  Chat.prototype.headers = function (json) {
    var headers = { "X-CSRFToken": csrf() };
    if (json) { headers["Content-Type"] = "application/json"; }
    if (this.root.dataset.clinic) { headers["X-Clinic"] = this.root.dataset.clinic; }
    return headers;
  };

  Chat.prototype.api = function (method, path, body) {
    var self = this;
    return fetch(this.root.dataset.api + path, {
      method: method,
      credentials: "same-origin",
      headers: this.headers(body !== undefined && !(body instanceof FormData)),
      body: body === undefined ? undefined : (body instanceof FormData ? body : JSON.stringify(body))
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) { self.showError(data.detail || data.title); throw new Error(data.code); }
        self.showError("");
        return data;
      });
    });
  };

  Chat.prototype.bind = function () {
    var self = this;
    if (this.form) {
      this.form.addEventListener("submit", function (event) {
        var text = self.text.value.trim();
        if (!text) { event.preventDefault(); return; }
        if (self.send({ type: "send", text: text })) {
          event.preventDefault();
          self.text.value = "";
        }
      });
      this.text.addEventListener("input", function () {
        var now = Date.now();
        if (now - self.lastTypingSent > 3000) {
          self.lastTypingSent = now;
          self.send({ type: "typing" });
        }
      });
      this.text.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !event.shiftKey) {
          event.preventDefault();
          self.form.requestSubmit();
        }
      });
    }
    if (this.file) {
      this.file.addEventListener("change", function () {
        var file = self.file.files[0];
        if (!file) { return; }
        var data = new FormData();
        data.append("conversation_id", self.root.dataset.conversation);
        data.append("file", file);
        self.api("POST", "/upload", data).then(function (attachment) {
          var text = self.text.value.trim();
          self.text.value = "";
          return self.api("POST", "/messages", {
            conversation_id: self.root.dataset.conversation, text: text, attachment_id: attachment.id
          });
        }).then(function (message) { self.upsert(message); }).catch(function () {}).then(function () {
          self.file.value = "";
        });
      });
    }
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && self.pendingRead) {
        self.send({ type: "read", message_id: self.pendingRead });
        self.pendingRead = null;
      }
    });
  };

  // Inbox lists: reload when a conversation of this clinic changes.
  function liveRefresh(node) {
    var socket = new WebSocket(wsUrl("/ws/live/?topic=clinic-inbox:" + node.dataset.clinicId));
    var timer = null;
    socket.addEventListener("message", function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.event === "chat.activity" || data.event === "conversation.updated") {
        window.clearTimeout(timer);
        timer = window.setTimeout(function () { location.reload(); }, 800);
      }
    });
  }

  function start() {
    document.querySelectorAll("[data-chat]").forEach(function (root) { root.chat = new Chat(root); });
    document.querySelectorAll("[data-live-refresh]").forEach(liveRefresh);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
