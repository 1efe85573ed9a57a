/* Agent console for the Enterprise Scanner admin (chat.consumers.AgentConsumer over /ws/agent/).
 * No dependencies. Everything from the socket is shown with textContent, never as HTML.
 * Unread counts, sound and desktop alerts for new waiting chats, canned responses ("/" in the
 * reply box), typing in both directions, and the visitor's page and company in the side panel. */
(function () {
  "use strict";
  var root = document.getElementById("chat-console");
  if (!root || !window.WebSocket) { return; }

  var $ = function (id) { return document.getElementById(id); };
  var statusEl = $("chat-status"), waitingEl = $("chat-waiting"), mineEl = $("chat-mine");
  var paneEmpty = $("chat-pane-empty"), paneBody = $("chat-pane-body"), leadCard = $("chat-lead-card");
  var transcript = $("chat-transcript"), typingEl = $("chat-typing"), claimBtn = $("chat-claim");
  var closeBtn = $("chat-close"), replyForm = $("chat-reply"), replyText = $("chat-reply-text");
  var sendBtn = $("chat-send"), paneHeading = $("chat-pane-heading"), paneSub = $("chat-pane-sub");
  var cannedList = $("chat-canned-list"), notifyBtn = $("chat-notify"), soundBox = $("chat-sound");
  var unreadTotalEl = $("chat-unread-total");
  var baseTitle = document.title;

  var canned = [];
  try { canned = JSON.parse(($("chat-canned") || {}).textContent || "[]") || []; } catch (e) { canned = []; }

  var socket = null, attempt = 0, current = null;
  var logs = {}, lastSeq = {}, summaries = {}, unread = {}, knownWaiting = null;
  var typingTimer = null, typingSentAt = 0, typingClear = null;
  var TYPING_REPEAT = 3000, TYPING_IDLE = 4000, TYPING_SHOW = 6000;
  var STORED = { message: 1, escalated: 1, agent_joined: 1, closed: 1, rated: 1, transcript_sent: 1, offline_received: 1 };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }
  function setStatus(text) { statusEl.textContent = text; }
  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) { socket.send(JSON.stringify(frame)); return true; }
    return false;
  }
  function clientId() { return "a-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10); }

  /* --- Time --- */
  function clock(iso) {
    var d = new Date(iso);
    if (isNaN(d)) { return ""; }
    var today = new Date();
    var time = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    if (d.toDateString() === today.toDateString()) { return time; }
    return d.toLocaleDateString([], { day: "numeric", month: "short" }) + " " + time;
  }
  function since(iso) {
    var seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
    if (isNaN(seconds)) { return ""; }
    if (seconds < 60) { return "just now"; }
    var minutes = Math.floor(seconds / 60);
    if (minutes < 60) { return minutes + " min"; }
    var hours = Math.floor(minutes / 60);
    if (hours < 48) { return hours + " h " + (minutes % 60) + " min"; }
    return Math.floor(hours / 24) + " days";
  }
  function refreshTimes() {
    Array.prototype.forEach.call(root.querySelectorAll("[data-since]"), function (node) {
      var iso = node.getAttribute("data-since");
      node.textContent = (node.getAttribute("data-prefix") || "") + since(iso);
      var long = (Date.now() - new Date(iso).getTime()) > 5 * 60 * 1000;
      node.classList.toggle("cc-wait-long", long && node.hasAttribute("data-warn"));
    });
  }
  setInterval(refreshTimes, 15000);

  /* --- Unread, sound, desktop alerts --- */
  function totalUnread() {
    return Object.keys(unread).reduce(function (sum, id) { return sum + (unread[id] || 0); }, 0);
  }
  function renderUnread() {
    var total = totalUnread();
    unreadTotalEl.hidden = !total;
    unreadTotalEl.textContent = total + " unread";
    document.title = (total ? "(" + total + ") " : "") + baseTitle;
    Array.prototype.forEach.call(root.querySelectorAll("[data-badge]"), function (badge) {
      var n = unread[badge.getAttribute("data-badge")] || 0;
      badge.hidden = !n;
      badge.textContent = String(n);
      badge.setAttribute("aria-label", n + " unread");
    });
  }
  function markRead(id) { if (unread[id]) { unread[id] = 0; renderUnread(); } }

  var audio = null;
  function unlockAudio() {
    // Browsers allow sound only after a user gesture: create the context on the first one.
    if (audio || !(window.AudioContext || window.webkitAudioContext)) { return; }
    try { audio = new (window.AudioContext || window.webkitAudioContext)(); } catch (e) { audio = null; }
  }
  document.addEventListener("pointerdown", unlockAudio, { once: true });
  document.addEventListener("keydown", unlockAudio, { once: true });
  soundBox.checked = localStorage.getItem("es-console-sound") !== "off";
  soundBox.addEventListener("change", function () { localStorage.setItem("es-console-sound", soundBox.checked ? "on" : "off"); });
  function chime() {
    if (!soundBox.checked || !audio) { return; }
    try {
      [880, 1320].forEach(function (freq, i) {
        var osc = audio.createOscillator(), gain = audio.createGain(), start = audio.currentTime + i * 0.16;
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, start);
        gain.gain.exponentialRampToValueAtTime(0.2, start + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.15);
        osc.connect(gain); gain.connect(audio.destination);
        osc.start(start); osc.stop(start + 0.16);
      });
    } catch (e) { /* sound is a nicety */ }
  }
  function renderNotifyButton() {
    if (!("Notification" in window)) { notifyBtn.hidden = true; return; }
    var state = Notification.permission;
    notifyBtn.hidden = state === "granted";
    notifyBtn.disabled = state === "denied";
    notifyBtn.textContent = state === "denied" ? "Desktop alerts blocked in the browser" : "Enable desktop alerts";
  }
  notifyBtn.addEventListener("click", function () {
    unlockAudio();
    // Asked on this click only: browsers ignore (or penalise) requests without a user gesture.
    var asked = Notification.requestPermission(renderNotifyButton);
    if (asked && asked.then) { asked.then(renderNotifyButton); }
  });
  renderNotifyButton();
  function alertNewChat(c) {
    chime();
    if (!("Notification" in window) || Notification.permission !== "granted") { return; }
    try {
      var note = new Notification("New chat waiting", { body: describe(c), tag: "chat-" + c.id });
      note.onclick = function () { window.focus(); openConversation(c.id); note.close(); };
    } catch (e) { /* some browsers allow notifications only from a service worker */ }
  }

  /* --- Socket --- */
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
      summaries[data.conversation] = Object.assign(summaries[data.conversation] || {}, data);
      if (data.conversation === current) { renderHeader(); }
      return;
    }
    if (data.type === "claimed") { setStatus("You have claimed the chat."); return; }
    if (data.type === "typing") {
      if (data.conversation === current) { showTyping(data.active); }
      return;
    }
    if (data.type === "page") {
      var c = summaries[data.conversation];
      if (c) { c.page = { url: data.url, title: data.title }; if (data.conversation === current) { renderSide(); } }
      return;
    }
    if (data.type === "error") { setStatus(data.message || "Something went wrong."); return; }
    if (STORED[data.type] && data.conversation) { store(data); }
  }

  function showTyping(active) {
    clearTimeout(typingClear);
    typingEl.textContent = active ? "The visitor is typing…" : "";
    // A lost "stopped typing" must not leave the indicator on: it expires unless repeated.
    if (active) { typingClear = setTimeout(function () { typingEl.textContent = ""; }, TYPING_SHOW); }
  }

  function store(msg) {
    var id = msg.conversation;
    if ((lastSeq[id] || 0) >= msg.seq) { return; }
    lastSeq[id] = msg.seq;
    (logs[id] = logs[id] || []).push(msg);
    if (summaries[id]) { summaries[id].last_at = msg.sent_at; }
    var seen = id === current && !document.hidden;
    if (!seen && msg.sender === "visitor") {
      unread[id] = (unread[id] || 0) + 1;
      renderUnread();
      if (id !== current || document.hidden) { chime(); }
    }
    if (id === current) {
      appendMessage(msg);
      if (msg.sender === "visitor") { showTyping(false); }
      if ((msg.type === "closed" || msg.type === "offline_received") && summaries[id]) { summaries[id].status = "closed"; renderHeader(); }
      if (msg.type === "agent_joined") { send({ type: "open", conversation: id, last_seq: lastSeq[id] }); }
    }
  }
  document.addEventListener("visibilitychange", function () { if (!document.hidden && current) { markRead(current); } });

  function who(msg) {
    var me = root.getAttribute("data-agent-name");
    if (msg.sender === "visitor") { return "Visitor"; }
    if (msg.sender === "agent") { return msg.agent && msg.agent === me ? "You" : (msg.agent || "Agent"); }
    if (msg.sender === "bot") { return "Bot"; }
    return "";
  }
  function appendMessage(msg) {
    var row = el("div", "chat-msg chat-msg-" + (msg.sender || "system"));
    var meta = el("div", "chat-meta");
    var name = who(msg);
    if (name) { meta.appendChild(el("span", "chat-who", name)); meta.appendChild(document.createTextNode(" · ")); }
    var time = el("time", "", clock(msg.sent_at));
    time.setAttribute("datetime", msg.sent_at || "");
    meta.appendChild(time);
    row.appendChild(meta);
    row.appendChild(el("div", "chat-bubble chat-body", msg.body));
    if (msg.sources && msg.sources.length) {
      row.appendChild(el("div", "chat-sources", "Sources: " + msg.sources.map(function (s) { return s.title; }).join(", ")));
    }
    transcript.appendChild(row);
    transcript.scrollTop = transcript.scrollHeight;
  }

  /* --- Queue --- */
  function visitorName(c) {
    if (c.lead) { return c.lead.name || c.lead.email; }
    return "Anonymous visitor";
  }
  function companyName(c) {
    if (c.lead && c.lead.company) { return c.lead.company; }
    if (c.visitor_company) { return c.visitor_company.name; }
    return "";
  }
  function describe(c) {
    var parts = [visitorName(c)];
    if (companyName(c)) { parts.push(companyName(c)); }
    if (c.reason) { parts.push(c.reason); }
    return parts.join(" · ");
  }
  function renderList(listEl, items, emptyText, waiting) {
    listEl.textContent = "";
    if (!items.length) { listEl.appendChild(el("li", "chat-empty", emptyText)); return; }
    items.forEach(function (c) {
      summaries[c.id] = Object.assign(summaries[c.id] || {}, c, { conversation: c.id });
      var li = el("li"), btn = el("button");
      btn.type = "button";
      btn.setAttribute("data-conversation", c.id);
      if (c.id === current) { btn.setAttribute("aria-current", "true"); }
      var name = el("span", "cc-item-name");
      if (c.fortune_500) { name.appendChild(el("span", "chat-f500", "Fortune 500 ")); }
      name.appendChild(document.createTextNode(visitorName(c)));
      var badge = el("span", "cc-badge");
      badge.setAttribute("data-badge", c.id);
      badge.hidden = true;
      name.appendChild(badge);
      btn.appendChild(name);
      var iso = waiting ? (c.escalated_at || c.created_at) : (c.updated_at || c.created_at);
      var time = el("span", "cc-item-time");
      if (iso) {
        time.setAttribute("data-since", iso);
        if (waiting) { time.setAttribute("data-warn", ""); time.setAttribute("data-prefix", "waiting "); }
        time.title = clock(iso);
      }
      btn.appendChild(time);
      var meta = [companyName(c), c.reason].filter(Boolean).join(" · ");
      btn.appendChild(el("span", "cc-item-meta", meta || (c.page ? c.page.title || c.page.url : "")));
      btn.addEventListener("click", function () { openConversation(c.id); });
      li.appendChild(btn);
      listEl.appendChild(li);
    });
  }
  function renderQueue(q) {
    var fresh = [];
    q.waiting.forEach(function (c) {
      if (knownWaiting === null || !knownWaiting[c.id]) {
        if (c.id !== current) { unread[c.id] = Math.max(unread[c.id] || 0, 1); }
        if (knownWaiting !== null) { fresh.push(c); }
      }
    });
    knownWaiting = {};
    q.waiting.forEach(function (c) { knownWaiting[c.id] = true; });
    renderList(waitingEl, q.waiting, "Nobody is waiting.", true);
    renderList(mineEl, q.mine, "No open conversations.", false);
    $("chat-waiting-count").textContent = String(q.waiting.length);
    $("chat-mine-count").textContent = String(q.mine.length);
    renderUnread();
    refreshTimes();
    fresh.forEach(alertNewChat);
  }

  /* --- Open conversation: header and side panel --- */
  function renderHeader() {
    var c = summaries[current];
    if (!c) { return; }
    paneHeading.textContent = visitorName(c);
    var sub = [];
    if (c.status === "closed") { sub.push("Closed"); }
    else if (c.agent) { sub.push(c.mine ? "Assigned to you" : "With " + c.agent); }
    else if (c.status === "waiting") { sub.push("Waiting for a person"); }
    else { sub.push("With the bot"); }
    if (c.created_at) { sub.push("started " + clock(c.created_at)); }
    paneSub.textContent = sub.join(" · ");
    var open = c.status !== "closed";
    claimBtn.hidden = !(open && !c.agent);
    closeBtn.hidden = !(open && c.mine);
    replyText.disabled = sendBtn.disabled = !(open && c.mine);
    replyText.placeholder = open && c.mine ? "Type a reply… ( / for canned responses, Enter to send, Shift+Enter for a new line)"
      : (open ? "Claim the chat to reply." : "This chat has ended.");
    renderSide();
  }
  function field(dl, label, value) {
    if (value === undefined || value === null || value === "") { return null; }
    dl.appendChild(el("dt", "", label));
    var dd = el("dd");
    if (typeof value === "string") { dd.textContent = value; } else { dd.appendChild(value); }
    dl.appendChild(dd);
    return dd;
  }
  function renderSide() {
    var c = summaries[current];
    leadCard.textContent = "";
    if (!c) { leadCard.appendChild(el("p", "cc-quiet", "No conversation open.")); return; }
    var dl = el("dl");
    var name = el("div", "cc-big", visitorName(c));
    field(dl, "Visitor", name);
    if (c.lead) {
      var link = el("a", "", "Open lead");
      link.href = c.lead.url;
      field(dl, "E-mail", c.lead.email);
      field(dl, "Job title", c.lead.job_title);
      var scoreLine = el("span");
      scoreLine.appendChild(el("span", "cc-pill" + (c.lead.score >= 80 ? " cc-hot" : ""), "score " + c.lead.score));
      scoreLine.appendChild(el("span", "cc-pill", c.lead.status));
      field(dl, "Lead", scoreLine);
      field(dl, "", link);
    } else {
      field(dl, "E-mail", "Not given yet");
    }
    var company = companyName(c);
    var rank = c.lead && c.lead.fortune_rank ? c.lead.fortune_rank : (c.visitor_company && c.visitor_company.fortune_rank);
    field(dl, "Company", company ? company + (rank ? " (Fortune 500 #" + rank + ")" : "") : "Company unknown");
    if (c.fortune_500) { field(dl, "", el("span", "chat-f500", "Fortune 500 visitor")); }
    if (c.page && /^https?:\/\//.test(c.page.url)) {
      var page = el("a", "", c.page.title || c.page.url);
      page.href = c.page.url;
      page.target = "_blank";
      page.rel = "noopener noreferrer";
      page.title = c.page.url;
      field(dl, "Current page", page);
    } else {
      field(dl, "Current page", "Unknown");
    }
    if (c.reason) { field(dl, "Escalated", c.reason + (c.escalated_at ? " · " + clock(c.escalated_at) : "")); }
    if (c.status === "waiting" && c.escalated_at) {
      var waited = el("span", "", since(c.escalated_at));
      waited.setAttribute("data-since", c.escalated_at);
      waited.setAttribute("data-warn", "");
      field(dl, "Waiting", waited);
    }
    if (c.offline) { field(dl, "Offline message", "Left while nobody was available: answer by e-mail."); }
    leadCard.appendChild(dl);
  }

  function openConversation(id) {
    current = id;
    if (location.hash !== "#" + id) { history.replaceState(null, "", "#" + id); }
    paneEmpty.hidden = true;
    paneBody.hidden = false;
    transcript.textContent = "";
    showTyping(false);
    closeCanned();
    (logs[id] || []).forEach(appendMessage);
    Array.prototype.forEach.call(root.querySelectorAll("[data-conversation]"), function (b) {
      if (b.getAttribute("data-conversation") === id) { b.setAttribute("aria-current", "true"); }
      else { b.removeAttribute("aria-current"); }
    });
    markRead(id);
    renderHeader();
    send({ type: "open", conversation: id, last_seq: lastSeq[id] || 0 });
  }

  claimBtn.addEventListener("click", function () { if (current) { send({ type: "claim", conversation: current }); } });
  closeBtn.addEventListener("click", function () {
    if (!current) { return; }
    // Far from the reply box and confirmed: closing ends the chat for the visitor.
    if (window.confirm("Close this chat? The visitor will be asked to rate it and cannot write again.")) {
      send({ type: "close", conversation: current });
    }
  });

  /* --- Reply box: typing, canned responses --- */
  function stopTyping() {
    clearTimeout(typingTimer);
    if (typingSentAt && current) { send({ type: "typing", conversation: current, active: false }); }
    typingSentAt = 0;
  }
  replyForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = replyText.value.trim();
    if (!body || !current) { return; }
    if (send({ type: "message", conversation: current, body: body, client_id: clientId() })) {
      replyText.value = "";
      closeCanned();
      stopTyping();
    } else {
      setStatus("Not connected; your reply was not sent. It is still in the box.");
    }
  });

  var cannedMatches = [], cannedIndex = 0;
  function cannedQuery() {
    var m = /^\/(\S*)$/.exec(replyText.value);
    return m ? m[1].toLowerCase() : null;
  }
  function closeCanned() {
    cannedList.hidden = true;
    cannedMatches = [];
    replyText.setAttribute("aria-expanded", "false");
    replyText.removeAttribute("aria-activedescendant");
  }
  function renderCanned() {
    var query = cannedQuery();
    if (query === null) { closeCanned(); return; }
    cannedMatches = canned.filter(function (c) {
      return c.shortcut.toLowerCase().indexOf(query) !== -1 || c.title.toLowerCase().indexOf(query) !== -1;
    }).slice(0, 8);
    cannedIndex = Math.min(cannedIndex, Math.max(0, cannedMatches.length - 1));
    cannedList.textContent = "";
    if (!cannedMatches.length) {
      var none = el("li", "cc-quiet", canned.length ? "No canned response matches “" + query + "”." : "No canned responses yet (Chat → Canned responses).");
      none.setAttribute("role", "option");
      none.setAttribute("aria-disabled", "true");
      cannedList.appendChild(none);
    }
    cannedMatches.forEach(function (c, i) {
      var li = el("li");
      li.id = "chat-canned-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", String(i === cannedIndex));
      li.appendChild(el("span", "cc-shortcut", "/" + c.shortcut));
      li.appendChild(el("span", "", c.title));
      li.appendChild(el("span", "cc-preview", c.body));
      li.addEventListener("mousedown", function (event) { event.preventDefault(); insertCanned(i); });
      cannedList.appendChild(li);
    });
    cannedList.hidden = false;
    replyText.setAttribute("aria-expanded", "true");
    if (cannedMatches.length) { replyText.setAttribute("aria-activedescendant", "chat-canned-" + cannedIndex); }
  }
  function insertCanned(i) {
    var c = cannedMatches[i];
    if (!c) { return; }
    replyText.value = c.body;
    closeCanned();
    replyText.focus();
    replyText.setSelectionRange(replyText.value.length, replyText.value.length);
  }
  replyText.addEventListener("keydown", function (event) {
    if (!cannedList.hidden && cannedMatches.length) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        cannedIndex = (cannedIndex + (event.key === "ArrowDown" ? 1 : cannedMatches.length - 1)) % cannedMatches.length;
        renderCanned();
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") { event.preventDefault(); insertCanned(cannedIndex); return; }
    }
    if (!cannedList.hidden && event.key === "Escape") { event.preventDefault(); closeCanned(); return; }
    if (!cannedList.hidden && event.key === "Enter") { event.preventDefault(); return; }
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); replyForm.requestSubmit(); }
  });
  replyText.addEventListener("input", function () {
    cannedIndex = cannedQuery() === null ? 0 : cannedIndex;
    renderCanned();
    if (!current) { return; }
    // Throttled: "typing" at most every TYPING_REPEAT ms while typing, "stopped" after a pause.
    if (Date.now() - typingSentAt > TYPING_REPEAT) {
      send({ type: "typing", conversation: current, active: true });
      typingSentAt = Date.now();
    }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(stopTyping, TYPING_IDLE);
  });
  replyText.addEventListener("blur", function () { setTimeout(closeCanned, 150); });

  connect();
  if (/^#[0-9a-f-]{36}$/.test(location.hash)) { openConversation(location.hash.slice(1)); }
})();
