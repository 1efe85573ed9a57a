/* Enterprise Scanner chat widget. Embed with one tag:
 *   <script src="https://YOUR-SERVER/static/chat/widget.js" data-site-key="pk_…" defer></script>
 * No dependencies. Talks to /ws/chat/ on the server the script came from (protocol:
 * docs/chat-protocol.md). Reconnects with exponential back-off and resumes by sequence number;
 * unsent messages are kept and resent with the same client id, so nothing is lost or doubled.
 * Everything received is shown with textContent, never as HTML. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.WebSocket || !window.JSON) { return; }
  var siteKey = script.getAttribute("data-site-key") || "";
  var server = new URL(script.src, location.href);
  var socketUrl = (server.protocol === "https:" ? "wss://" : "ws://") + server.host +
    "/ws/chat/?key=" + encodeURIComponent(siteKey);
  var storeKey = "es-chat:" + siteKey;
  var MAX_LENGTH = 2000;

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey)) || {}; } catch (e) { return {}; }
  }
  var saved = load();
  var state = {
    token: saved.token || null,
    visitorId: saved.visitorId || randomId("v"),
    pending: Array.isArray(saved.pending) ? saved.pending : [],
    open: !!saved.open
  };
  function persist() {
    try {
      localStorage.setItem(storeKey, JSON.stringify({
        token: state.token, visitorId: state.visitorId, pending: state.pending, open: state.open
      }));
    } catch (e) { /* private mode: the chat still works for this page */ }
  }
  function randomId(prefix) {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return prefix + "-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  /* --- Interface --- */
  var css = [
    ".esc-launch{position:fixed;right:20px;bottom:20px;z-index:2147483000;background:#1d4ed8;color:#fff;border:0;border-radius:24px;padding:12px 18px;font:600 15px system-ui,sans-serif;cursor:pointer;box-shadow:0 4px 12px rgba(0,0,0,.2)}",
    ".esc-launch:focus-visible,.esc-panel button:focus-visible,.esc-panel textarea:focus-visible,.esc-panel input:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}",
    ".esc-panel{position:fixed;right:20px;bottom:76px;z-index:2147483000;width:360px;max-width:calc(100vw - 40px);height:480px;max-height:calc(100vh - 100px);display:flex;flex-direction:column;background:#fff;color:#111827;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.25);font:14px/1.4 system-ui,sans-serif;overflow:hidden}",
    ".esc-panel[hidden],.esc-panel [hidden]{display:none!important}",
    ".esc-head{display:flex;align-items:center;justify-content:space-between;background:#1d4ed8;color:#fff;padding:10px 12px}",
    ".esc-head h2{margin:0;font-size:15px}",
    ".esc-head button{background:transparent;color:#fff;border:0;font-size:20px;cursor:pointer;line-height:1}",
    ".esc-log{flex:1;overflow-y:auto;padding:10px 12px;background:#f9fafb}",
    ".esc-msg{margin:6px 0;padding:7px 10px;border-radius:10px;max-width:85%;white-space:pre-wrap;word-wrap:break-word}",
    ".esc-visitor{margin-left:auto;background:#1d4ed8;color:#fff}",
    ".esc-bot,.esc-agent{background:#e5e7eb}",
    ".esc-system{max-width:100%;background:transparent;color:#4b5563;font-style:italic;text-align:center}",
    ".esc-who{display:block;font-size:12px;font-weight:600;margin-bottom:2px}",
    ".esc-sources{display:block;font-size:12px;color:#4b5563;margin-top:4px}",
    ".esc-sources a{color:#1d4ed8}",
    ".esc-pending{opacity:.6}",
    ".esc-failed{background:#fee2e2;color:#991b1b}",
    ".esc-status{min-height:18px;padding:2px 12px;font-size:12px;color:#4b5563}",
    ".esc-form{display:flex;gap:6px;padding:8px;border-top:1px solid #e5e7eb}",
    ".esc-form textarea{flex:1;resize:none;height:40px;font:inherit;padding:6px;border:1px solid #9ca3af;border-radius:6px}",
    ".esc-panel button.esc-primary{background:#1d4ed8;color:#fff;border:0;border-radius:6px;padding:0 12px;cursor:pointer;font:inherit}",
    ".esc-extra{padding:8px;border-top:1px solid #e5e7eb;display:flex;flex-wrap:wrap;gap:6px;align-items:center}",
    ".esc-extra[hidden]{display:none}",
    ".esc-extra fieldset{border:0;margin:0;padding:0;display:flex;gap:4px;align-items:center}",
    ".esc-extra legend{float:left;margin-right:6px}",
    ".esc-extra button{border:1px solid #9ca3af;background:#fff;border-radius:6px;padding:4px 8px;cursor:pointer;font:inherit}",
    ".esc-extra button[aria-pressed=true]{background:#1d4ed8;color:#fff}",
    ".esc-extra input{flex:1;min-width:120px;font:inherit;padding:4px;border:1px solid #9ca3af;border-radius:6px}",
    ".esc-end{background:transparent;border:0;color:#fff;text-decoration:underline;cursor:pointer;font:inherit;margin-right:8px}",
    ".esc-offline{padding:10px 12px;border-top:1px solid #e5e7eb;background:#fffbeb;display:flex;flex-direction:column;gap:6px}",
    ".esc-offline p{margin:0;color:#78350f}",
    ".esc-offline strong{color:#111827}",
    ".esc-offline input,.esc-offline textarea{font:inherit;padding:6px;border:1px solid #9ca3af;border-radius:6px;width:100%;box-sizing:border-box}",
    ".esc-offline textarea{resize:vertical;min-height:56px}",
    ".esc-offline-actions{display:flex;gap:6px;justify-content:flex-end}",
    ".esc-offline-actions button{padding:6px 12px}",
    ".esc-offline-bar{padding:0 12px}",
    ".esc-link{background:transparent;border:0;color:#1d4ed8;text-decoration:underline;cursor:pointer;font:inherit;padding:0}",
    ".esc-time{font-weight:400;color:#6b7280;margin-left:6px}",
    ".esc-visitor .esc-time{color:#dbeafe}",
    ".esc-sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}"
  ].join("\n");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  var style = el("style");
  style.textContent = css;
  var launcher = el("button", { type: "button", "class": "esc-launch", "aria-controls": "esc-panel", "aria-expanded": "false" }, "Chat with us");
  var panel = el("div", { id: "esc-panel", "class": "esc-panel", role: "dialog", "aria-label": "Chat with Enterprise Scanner", hidden: "" });
  var head = el("div", { "class": "esc-head" });
  var title = el("h2", {}, "Chat with us");
  var headButtons = el("div");
  var endButton = el("button", { type: "button", "class": "esc-end" }, "End chat");
  var minimise = el("button", { type: "button", "aria-label": "Minimise chat" }, "×");
  headButtons.appendChild(endButton);
  headButtons.appendChild(minimise);
  head.appendChild(title);
  head.appendChild(headButtons);
  var log = el("div", { "class": "esc-log", role: "log", "aria-live": "polite", "aria-label": "Chat messages", tabindex: "0" });
  var status = el("div", { "class": "esc-status", role: "status", "aria-live": "polite" });
  var form = el("form", { "class": "esc-form" });
  var inputLabel = el("label", { "for": "esc-input", "class": "esc-sr" }, "Your message");
  var input = el("textarea", { id: "esc-input", maxlength: String(MAX_LENGTH), placeholder: "Type your message…", rows: "1" });
  var sendButton = el("button", { type: "submit", "class": "esc-primary" }, "Send");
  form.appendChild(inputLabel);
  form.appendChild(input);
  form.appendChild(sendButton);

  var after = el("div", { "class": "esc-extra", hidden: "" });
  var rating = el("fieldset");
  rating.appendChild(el("legend", {}, "Rate this chat"));
  var ratingButtons = [];
  for (var r = 1; r <= 5; r++) {
    var rb = el("button", { type: "button", "aria-pressed": "false", "aria-label": "Rate " + r + " out of 5", "data-rating": String(r) }, String(r));
    ratingButtons.push(rb);
    rating.appendChild(rb);
  }
  var commentLabel = el("label", { "for": "esc-comment", "class": "esc-sr" }, "Comment (optional)");
  var comment = el("input", { id: "esc-comment", type: "text", maxlength: "2000", placeholder: "Comment (optional)" });
  var rateSubmit = el("button", { type: "button" }, "Send rating");
  var transcriptLabel = el("label", { "for": "esc-transcript-email", "class": "esc-sr" }, "E-mail address for the transcript");
  var transcriptEmail = el("input", { id: "esc-transcript-email", type: "email", placeholder: "you@company.com (optional)" });
  var transcriptButton = el("button", { type: "button" }, "E-mail me the transcript");
  var newChat = el("button", { type: "button" }, "Start a new chat");
  [rating, commentLabel, comment, rateSubmit, transcriptLabel, transcriptEmail, transcriptButton, newChat].forEach(function (n) { after.appendChild(n); });

  // Offline: outside business hours or with nobody online, say when a person is back and take an
  // e-mail address and a question (they become a lead; sales answer by e-mail).
  var offline = el("form", { "class": "esc-offline", "aria-label": "Leave us a message", hidden: "", novalidate: "" });
  var offlineText = el("p", { id: "esc-offline-text" });
  var offlineEmailLabel = el("label", { "for": "esc-offline-email", "class": "esc-sr" }, "Your work e-mail");
  var offlineEmail = el("input", { id: "esc-offline-email", type: "email", autocomplete: "email", maxlength: "254", placeholder: "Your work e-mail", required: "" });
  var offlineQuestionLabel = el("label", { "for": "esc-offline-question", "class": "esc-sr" }, "Your question");
  var offlineQuestion = el("textarea", { id: "esc-offline-question", maxlength: String(MAX_LENGTH), placeholder: "Your question", required: "" });
  var offlineActions = el("div", { "class": "esc-offline-actions" });
  var offlineLater = el("button", { type: "button", "class": "esc-link" }, "Keep chatting with the assistant");
  var offlineSend = el("button", { type: "submit", "class": "esc-primary" }, "Leave message");
  offlineActions.appendChild(offlineLater);
  offlineActions.appendChild(offlineSend);
  [offlineText, offlineEmailLabel, offlineEmail, offlineQuestionLabel, offlineQuestion, offlineActions].forEach(function (n) { offline.appendChild(n); });
  var offlineShow = el("button", { type: "button", "class": "esc-link", hidden: "" }, "Leave a message for our team");
  var offlineBar = el("div", { "class": "esc-offline-bar" });
  offlineBar.appendChild(offlineShow);

  panel.appendChild(head);
  panel.appendChild(log);
  panel.appendChild(status);
  panel.appendChild(offlineBar);
  panel.appendChild(offline);
  panel.appendChild(form);
  panel.appendChild(after);

  /* --- Conversation state --- */
  var socket = null, attempt = 0, reconnectTimer = null, ready = false;
  var retryAfterMs = 0;  // the server asked us to wait this long before reconnecting ("unavailable")
  var lastSeq = 0, closed = false, rated = false, chosenRating = 0, typingTimer = null, typingSentAt = 0;
  var typingClear = null, offlineSent = false, availability = null;
  var bubbles = {};  // client id -> pending bubble element

  function say(text) { status.textContent = text; }
  function senderName(msg) {
    if (msg.sender === "visitor") { return "You"; }
    if (msg.sender === "agent") { return msg.agent || "Agent"; }
    if (msg.sender === "bot") { return "Assistant"; }
    return "";
  }
  function bubble(msg, extraClass) {
    var node = el("div", { "class": "esc-msg esc-" + (msg.sender || "visitor") + (extraClass ? " " + extraClass : "") });
    var name = senderName(msg);
    if (name || msg.sent_at) {
      var who = el("span", { "class": "esc-who" }, name);
      if (msg.sent_at) {
        var at = new Date(msg.sent_at);
        if (!isNaN(at)) { who.appendChild(el("time", { "class": "esc-time", datetime: msg.sent_at }, at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }))); }
      }
      node.appendChild(who);
    }
    node.appendChild(el("span", {}, msg.body));
    if (msg.sources && msg.sources.length) {
      var sources = el("span", { "class": "esc-sources" }, "Source: ");
      msg.sources.forEach(function (s, i) {
        if (i) { sources.appendChild(document.createTextNode(", ")); }
        // only an https/http address from the server becomes a link (never javascript:)
        if (s.url && /^https?:\/\//.test(s.url)) {
          sources.appendChild(el("a", { href: s.url, target: "_blank", rel: "noopener noreferrer" }, s.title));
        } else {
          sources.appendChild(document.createTextNode(s.title));
        }
      });
      node.appendChild(sources);
    }
    return node;
  }
  function scroll() { log.scrollTop = log.scrollHeight; }

  function receiveStored(msg) {
    if (msg.seq <= lastSeq) { return; }  // already shown: a resend or a replay
    lastSeq = msg.seq;
    if (msg.client_id && bubbles[msg.client_id]) {
      bubbles[msg.client_id].parentNode.removeChild(bubbles[msg.client_id]);
      delete bubbles[msg.client_id];
    }
    if (msg.client_id) { dropPending(msg.client_id); }
    log.appendChild(bubble(msg));
    if (msg.sender !== "visitor") { say(""); }
    if (msg.type === "closed") { setClosed(true); }
    if (msg.type === "escalated" && msg.offline && !offlineSent) { showOffline(true, true); }
    if (msg.type === "offline_received") {
      offlineSent = true; showOffline(false); setClosed(true);
      if (offlineEmail.value && !transcriptEmail.value) { transcriptEmail.value = offlineEmail.value.trim(); }
    }
    if (msg.type === "rated") { rated = true; rating.hidden = comment.hidden = rateSubmit.hidden = true; }
    scroll();
  }
  function dropPending(clientId) {
    state.pending = state.pending.filter(function (p) { return p.client_id !== clientId; });
    persist();
  }
  function setClosed(isClosed) {
    closed = isClosed;
    form.hidden = isClosed;
    endButton.hidden = isClosed;
    after.hidden = !isClosed;
    rating.hidden = comment.hidden = rateSubmit.hidden = rated || offlineSent;
    if (isClosed) { offline.hidden = true; offlineShow.hidden = true; }
  }
  function backText() {
    return (availability && availability.back_at) || "Nobody from our team is available right now.";
  }
  function showOffline(open, focus) {
    if (closed || offlineSent) { offline.hidden = true; offlineShow.hidden = true; return; }
    offlineText.textContent = "";
    offlineText.appendChild(el("strong", {}, backText()));
    offlineText.appendChild(document.createTextNode(" Leave your e-mail and question, and we will answer you by e-mail."));
    offline.hidden = !open;
    offlineShow.hidden = open;
    if (open && focus) { (offlineEmail.value ? offlineQuestion : offlineEmail).focus(); }
  }

  function handle(data) {
    switch (data.type) {
      case "welcome":
        if (data.token) { state.token = data.token; persist(); }
        ready = true;
        rated = !!data.rated;
        offlineSent = !!data.offline_sent;
        availability = data.availability || null;
        setClosed(data.status === "closed");
        // Outside business hours the form is open at once; with the team in but nobody online
        // a link offers it (and an escalation opens it), so the assistant stays first.
        if (availability && !availability.person_available && data.status !== "closed") { showOffline(!availability.open, false); }
        say("");
        state.pending.forEach(function (p) { send({ type: "message", body: p.body, client_id: p.client_id }); });
        break;
      case "message": case "escalated": case "agent_joined": case "closed": case "rated": case "transcript_sent": case "offline_received":
        receiveStored(data);
        break;
      case "typing":
        clearTimeout(typingClear);
        say(data.active ? (data.agent || "Someone") + " is typing…" : "");
        // A lost "stopped typing" must not leave the line on: it expires unless repeated.
        if (data.active) { typingClear = setTimeout(function () { say(""); }, 6000); }
        break;
      case "error":
        if (typeof data.retry_after === "number" && data.retry_after > 0) {
          // The server is unavailable and closes the socket next: reconnect no sooner than it asks.
          retryAfterMs = Math.min(data.retry_after, 300) * 1000;
        }
        if (data.code === "unknown_conversation") {
          state.token = null; persist(); lastSeq = 0; log.textContent = "";
          send({ type: "hello", visitor_id: state.visitorId });
          return;
        }
        offlineSend.disabled = false;
        if (data.client_id && bubbles[data.client_id]) {
          bubbles[data.client_id].className += " esc-failed";
          bubbles[data.client_id].appendChild(el("span", { "class": "esc-sources" }, "Not sent: " + data.message));
          delete bubbles[data.client_id];
          dropPending(data.client_id);
        }
        say(data.message || "Something went wrong.");
        break;
      default:
        break;
    }
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(frame)); return true; }
    return false;
  }
  // Heartbeat: keeps proxies from closing an idle socket and lets the server re-join the
  // conversation's group and deliver anything missed.
  setInterval(function () { if (ready) { send({ type: "ping" }); } }, 25000);

  function connect() {
    clearTimeout(reconnectTimer);
    ready = false;
    socket = new WebSocket(socketUrl);
    socket.onopen = function () {
      attempt = 0;
      var hello = { type: "hello", visitor_id: state.visitorId, last_seq: lastSeq, page_url: location.href, page_title: document.title.slice(0, 200) };
      if (state.token) { hello.token = state.token; }
      send(hello);
    };
    socket.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      handle(data);
    };
    socket.onclose = function () {
      ready = false;
      var delay = Math.min(30000, 1000 * Math.pow(2, attempt++)) * (0.5 + Math.random() / 2);
      if (retryAfterMs) {
        delay = Math.max(delay, retryAfterMs);
        retryAfterMs = 0;
        say("We are having trouble on our side. Reconnecting in " + Math.round(delay / 1000) + " s…");
      } else {
        say("Connection lost. Reconnecting…");
      }
      reconnectTimer = setTimeout(connect, delay);
    };
  }

  function postMessage(body) {
    var clientId = randomId("m");
    state.pending.push({ client_id: clientId, body: body });
    persist();
    var node = bubble({ sender: "visitor", body: body }, "esc-pending");
    bubbles[clientId] = node;
    log.appendChild(node);
    scroll();
    if (ready) { send({ type: "message", body: body, client_id: clientId }); }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = input.value.trim();
    if (!body) { return; }
    if (body.length > MAX_LENGTH) { say("Messages can be at most " + MAX_LENGTH + " characters."); return; }
    input.value = "";
    stopTyping();
    postMessage(body);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); form.requestSubmit ? form.requestSubmit() : sendButton.click(); }
  });
  function stopTyping() {
    clearTimeout(typingTimer);
    if (typingSentAt) { send({ type: "typing", active: false }); }
    typingSentAt = 0;
  }
  input.addEventListener("input", function () {
    // Throttled: "typing" at most every 3 s while typing, "stopped" after a 4 s pause.
    if (ready && Date.now() - typingSentAt > 3000) { send({ type: "typing", active: true }); typingSentAt = Date.now(); }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, 4000);
  });
  offlineShow.addEventListener("click", function () { showOffline(true, true); });
  offlineLater.addEventListener("click", function () { showOffline(false, false); input.focus(); });
  offline.addEventListener("submit", function (event) {
    event.preventDefault();
    var email = offlineEmail.value.trim(), question = offlineQuestion.value.trim();
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) { say("Please enter your e-mail address."); offlineEmail.focus(); return; }
    if (!question) { say("Please enter your question."); offlineQuestion.focus(); return; }
    if (!send({ type: "offline", email: email, question: question })) { say("Not connected yet. Try again in a moment."); return; }
    offlineSend.disabled = true;
    say("Sending…");
  });
  // The page the visitor is on, for the agent's side panel (also after in-page navigation).
  function sendPage() { if (ready) { send({ type: "page", url: location.href, title: document.title.slice(0, 200) }); } }
  window.addEventListener("popstate", sendPage);
  window.addEventListener("hashchange", sendPage);
  endButton.addEventListener("click", function () { send({ type: "close" }); });
  ratingButtons.forEach(function (button) {
    button.addEventListener("click", function () {
      chosenRating = Number(button.getAttribute("data-rating"));
      ratingButtons.forEach(function (b) { b.setAttribute("aria-pressed", String(b === button)); });
    });
  });
  rateSubmit.addEventListener("click", function () {
    if (!chosenRating) { say("Choose a rating from 1 to 5 first."); return; }
    send({ type: "rate", rating: chosenRating, comment: comment.value.trim() });
  });
  transcriptButton.addEventListener("click", function () {
    send({ type: "transcript", email: transcriptEmail.value.trim() });
  });
  newChat.addEventListener("click", function () {
    state.token = null; state.pending = []; persist();
    lastSeq = 0; rated = false; offlineSent = false; log.textContent = ""; setClosed(false);
    offlineSend.disabled = false; offlineQuestion.value = "";
    if (socket) { socket.onclose = null; socket.close(); }
    attempt = 0;
    connect();
    input.focus();
  });

  function setOpen(open) {
    state.open = open;
    persist();
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    launcher.textContent = open ? "Close chat" : "Chat with us";
    if (open) {
      if (!socket) { connect(); }
      input.focus();
    }
  }
  launcher.addEventListener("click", function () { setOpen(panel.hidden); });
  minimise.addEventListener("click", function () { setOpen(false); launcher.focus(); });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { setOpen(false); launcher.focus(); }
  });

  function mount() {
    document.head.appendChild(style);
    document.body.appendChild(panel);
    document.body.appendChild(launcher);
    if (state.open || state.token) { connect(); }
    if (state.open) { setOpen(true); }
  }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
})();
