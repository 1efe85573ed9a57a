/* Agent console for the Enterprise Scanner admin (chat.consumers.AgentConsumer over /ws/agent/).
 * No dependencies. Everything from the socket is shown with textContent, never as HTML. */
(function () {
  "use strict";
  var root = document.getElementById("chat-console");
  if (!root || !window.WebSocket) { return; }

  var $ = function (id) { return document.getElementById(id); };
  var statusEl = $("chat-status"), waitingEl = $("chat-waiting"), mineEl = $("chat-mine");
  var paneEmpty = $("chat-pane-empty"), paneBody = $("chat-pane-body"), leadCard = $("chat-lead-card");
  var transcript = $("chat-transcript"), typingEl = $("chat-typing"), claimBtn = $("chat-claim");
  var closeBtn = $("chat-close"), replyForm = $("chat-reply"), replyText = $("chat-reply-text");
  var sendBtn = $("chat-send");

  var socket = null, attempt = 0, current = null, typingTimer = null, typingSent = false;
  var logs = {}, lastSeq = {}, summaries = {};
  var STORED = { message: 1, escalated: 1, agent_joined: 1, closed: 1, rated: 1, transcript_sent: 1 };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function setStatus(text) { statusEl.textContent = text; }
  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(frame)); return true; }
    return false;
  }
  function clientId() { return "a-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10); }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + root.getAttribute("data-ws-path"));
    socket.onopen = function () {
      attempt = 0;
      setStatus("Connected. New chats appear here as they arrive.");
      if (current) { send({ type: "open", conversation: current, last_seq: lastSeq[current] || 0 }); }
    };
    socket.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      handle(data);
    };
    socket.onclose = function () {
      var delay = Math.min(30000, 1000 * Math.pow(2, attempt++)) * (0.5 + Math.random() / 2);
      setStatus("Disconnected. Reconnecting in " + Math.round(delay / 1000) + " s…");
      setTimeout(connect, delay);
    };
  }
  setInterval(function () { send({ type: "ping" }); }, 30000);

  function handle(data) {
    if (data.type === "queue") { renderQueue(data); return; }
    if (data.type === "conversation") {
      summaries[data.conversation] = data;
      if (data.conversation === current) { renderHeader(); }
      return;
    }
    if (data.type === "claimed") { setStatus("You have claimed the chat."); return; }
    if (data.type === "typing") {
      if (data.conversation === current) {
        typingEl.textContent = data.active ? "The visitor is typing…" : "";
      }
      return;
    }
    if (data.type === "error") { setStatus(data.message || "Something went wrong."); return; }
    if (STORED[data.type] && data.conversation) { store(data); }
  }

  function store(msg) {
    var id = msg.conversation;
    if ((lastSeq[id] || 0) >= msg.seq) { return; }
    lastSeq[id] = msg.seq;
    (logs[id] = logs[id] || []).push(msg);
    if (id === current) {
      appendMessage(msg);
      if (msg.sender === "visitor") { typingEl.textContent = ""; }
      if (msg.type === "closed" && summaries[id]) { summaries[id].status = "closed"; renderHeader(); }
      if (msg.type === "agent_joined") { send({ type: "open", conversation: id, last_seq: lastSeq[id] }); }
    }
  }

  function who(msg) {
    if (msg.sender === "visitor") { return "Visitor"; }
    if (msg.sender === "agent") { return msg.agent || "Agent"; }
    if (msg.sender === "bot") { return "Bot"; }
    return "";
  }
  function appendMessage(msg) {
    var row = el("div", "chat-msg" + (msg.sender === "system" ? " chat-msg-system" : ""));
    var name = who(msg);
    if (name) { row.appendChild(el("span", "chat-who", name + ":")); }
    row.appendChild(el("span", "chat-body", msg.body));
    if (msg.sources && msg.sources.length) {
      row.appendChild(el("span", "chat-quiet", " (sources: " + msg.sources.map(function (s) { return s.title; }).join(", ") + ")"));
    }
    transcript.appendChild(row);
    transcript.scrollTop = transcript.scrollHeight;
  }

  function describe(c) {
    var parts = [];
    if (c.lead) { parts.push(c.lead.name || c.lead.email); if (c.lead.company) { parts.push(c.lead.company); } }
    else { parts.push("Anonymous visitor"); }
    if (c.reason) { parts.push(c.reason); }
    return parts.join(" · ");
  }
  function renderList(listEl, items, emptyText) {
    listEl.textContent = "";
    if (!items.length) { listEl.appendChild(el("li", "chat-empty", emptyText)); return; }
    items.forEach(function (c) {
      summaries[c.id] = Object.assign(summaries[c.id] || {}, c, { conversation: c.id });
      var li = el("li"), btn = el("button");
      btn.type = "button";
      btn.setAttribute("data-conversation", c.id);
      if (c.id === current) { btn.setAttribute("aria-current", "true"); }
      if (c.fortune_500) { btn.appendChild(el("span", "chat-f500", "Fortune 500 ")); }
      btn.appendChild(el("span", "", describe(c)));
      btn.addEventListener("click", function () { openConversation(c.id); });
      li.appendChild(btn);
      listEl.appendChild(li);
    });
  }
  function renderQueue(q) {
    renderList(waitingEl, q.waiting, "Nobody is waiting.");
    renderList(mineEl, q.mine, "No open conversations.");
  }

  function renderHeader() {
    var c = summaries[current];
    if (!c) { return; }
    leadCard.textContent = "";
    if (c.fortune_500) { leadCard.appendChild(el("p", "chat-f500", "Fortune 500 visitor")); }
    if (c.lead) {
      var p = el("p");
      var link = el("a", "", c.lead.name || c.lead.email);
      link.href = c.lead.url;
      p.appendChild(link);
      p.appendChild(el("span", "", " · " + c.lead.email + (c.lead.job_title ? " · " + c.lead.job_title : "")));
      leadCard.appendChild(p);
      var company = c.lead.company ? c.lead.company + (c.lead.fortune_rank ? " (Fortune 500 #" + c.lead.fortune_rank + ")" : "") : "Company unknown";
      leadCard.appendChild(el("p", "", company + " · score " + c.lead.score + " · " + c.lead.status));
    } else {
      leadCard.appendChild(el("p", "chat-quiet", "The visitor has not given an e-mail address yet."));
    }
    if (c.reason) { leadCard.appendChild(el("p", "chat-quiet", "Escalated: " + c.reason)); }
    var open = c.status !== "closed";
    claimBtn.hidden = !(open && !c.agent);
    closeBtn.hidden = !(open && c.mine);
    replyText.disabled = sendBtn.disabled = !(open && c.mine);
  }

  function openConversation(id) {
    current = id;
    if (location.hash !== "#" + id) { history.replaceState(null, "", "#" + id); }
    paneEmpty.hidden = true;
    paneBody.hidden = false;
    transcript.textContent = "";
    typingEl.textContent = "";
    (logs[id] || []).forEach(appendMessage);
    Array.prototype.forEach.call(root.querySelectorAll("[data-conversation]"), function (b) {
      if (b.getAttribute("data-conversation") === id) { b.setAttribute("aria-current", "true"); }
      else { b.removeAttribute("aria-current"); }
    });
    renderHeader();
    send({ type: "open", conversation: id, last_seq: lastSeq[id] || 0 });
  }

  claimBtn.addEventListener("click", function () { if (current) { send({ type: "claim", conversation: current }); } });
  closeBtn.addEventListener("click", function () { if (current) { send({ type: "close", conversation: current }); } });
  replyForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = replyText.value.trim();
    if (!body || !current) { return; }
    if (send({ type: "message", conversation: current, body: body, client_id: clientId() })) {
      replyText.value = "";
      stopTyping();
    } else {
      setStatus("Not connected; your reply was not sent. It is still in the box.");
    }
  });
  replyText.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); replyForm.requestSubmit(); }
  });
  function stopTyping() {
    if (typingSent && current) { send({ type: "typing", conversation: current, active: false }); }
    typingSent = false;
  }
  replyText.addEventListener("input", function () {
    if (!typingSent && current) { send({ type: "typing", conversation: current, active: true }); typingSent = true; }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, 3000);
  });

  connect();
  if (/^#[0-9a-f-]{36}$/.test(location.hash)) { openConversation(location.hash.slice(1)); }
})();
