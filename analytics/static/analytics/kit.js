/* Enterprise Scanner website kit. Embed with one tag:
 *   <script src="https://YOUR-SERVER/static/analytics/kit.js" data-site-key="pk_…" defer></script>
 * No dependencies. It brings:
 * - a tracker: a first-party visitor cookie and a page view per page; nothing at all (no cookie,
 *   no events) when the browser sends Do-Not-Track or Global Privacy Control;
 * - partner referrals: `?ref=CODE` in a page address is kept (first touch wins) and sent with
 *   events and forms;
 * - a form helper for <form data-es-form="demo_request|contact|newsletter|assessment">: posts the
 *   fields as JSON with the visitor id, referral code and UTM parameters, shows the API's field
 *   errors next to the fields, and retries with back-off when the network fails, one submission
 *   at a time (the button stays disabled until the server answered);
 * - an ROI calculator in any <div data-es-roi></div>;
 * - the chat widget (chat/widget.js), unless the tag says data-chat="off".
 * Everything shown comes from textContent, never HTML. Script API: window.EnterpriseScanner. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch || !window.JSON) { return; }
  var siteKey = script.getAttribute("data-site-key") || "";
  var server = new URL(script.src, location.href);
  var api = server.origin + "/api/v1/";
  var VISITOR_COOKIE = "es_vid", REF_COOKIE = "es_ref", YEAR = 365 * 24 * 3600, REF_DAYS = 90;
  var UTM = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"];

  var declined = navigator.doNotTrack === "1" || window.doNotTrack === "1" || navigator.globalPrivacyControl === true;

  function readCookie(name) {
    var found = document.cookie.split("; ").filter(function (c) { return c.indexOf(name + "=") === 0; })[0];
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }
  function writeCookie(name, value, seconds) {
    document.cookie = name + "=" + encodeURIComponent(value) + "; max-age=" + seconds + "; path=/; SameSite=Lax" +
      (location.protocol === "https:" ? "; Secure" : "");
  }
  function randomId(prefix) {
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return prefix + "-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  var params = new URLSearchParams(location.search);
  var utm = {};
  UTM.forEach(function (name) { var v = params.get(name); if (v) { utm[name] = v.slice(0, 200); } });

  var visitorId = "";
  var referralCode = "";
  if (!declined) {
    visitorId = readCookie(VISITOR_COOKIE);
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(visitorId)) { visitorId = randomId("v"); }
    writeCookie(VISITOR_COOKIE, visitorId, YEAR);
    referralCode = readCookie(REF_COOKIE);
    var ref = (params.get("ref") || "").trim().toUpperCase();
    if (!referralCode && /^[A-Z0-9][A-Z0-9-]{2,31}$/.test(ref)) {
      referralCode = ref;
      writeCookie(REF_COOKIE, ref, REF_DAYS * 24 * 3600);
    }
  } else {
    var declinedRef = (params.get("ref") || "").trim().toUpperCase();
    if (/^[A-Z0-9][A-Z0-9-]{2,31}$/.test(declinedRef)) { referralCode = declinedRef; }  // this page only
  }

  function post(path, body) {
    return fetch(api + path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Site-Key": siteKey },
      body: JSON.stringify(body),
      keepalive: true,
      credentials: "omit"
    });
  }

  /* --- Tracker --- */
  var queue = [], flushTimer = null;
  function track(type, data) {
    if (declined) { return; }
    var event = { type: type, url: location.href.slice(0, 2048), occurred_at: new Date().toISOString(), data: data || {} };
    if (document.referrer && /^https?:/.test(document.referrer)) { event.referrer = document.referrer.slice(0, 2048); }
    Object.keys(utm).forEach(function (k) { event[k] = utm[k]; });
    queue.push(event);
    clearTimeout(flushTimer);
    flushTimer = setTimeout(flush, 300);
  }
  function flush() {
    if (!queue.length) { return; }
    var events = queue.splice(0, 50);
    post("events/", { visitor_id: visitorId, referral_code: referralCode, events: events })
      .catch(function () { queue = events.concat(queue); });  // network error: keep them for the next flush
    if (queue.length) { flushTimer = setTimeout(flush, 300); }
  }
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") { flush(); } });

  /* --- Shared look --- */
  var style = document.createElement("style");
  style.textContent = [
    ".es-error{color:#b91c1c;font-size:.9em;margin:.25em 0 0}",
    "[aria-invalid=true]{border-color:#b91c1c!important;outline-color:#b91c1c}",
    ".es-status{margin:.5em 0 0}",
    ".es-status.es-ok{color:#065f46}",
    ".es-status.es-bad{color:#b91c1c}",
    ".es-roi label{display:block;margin:.5em 0 .2em}",
    ".es-roi input,.es-roi select{font:inherit;padding:.3em;min-width:14em}",
    ".es-roi button{margin-top:.8em}",
    ".es-roi dl{display:grid;grid-template-columns:auto auto;gap:.3em 1em}",
    ".es-roi dd{margin:0;font-weight:600}"
  ].join("\n");
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function statusFor(form) {
    var status = form.querySelector(".es-status");
    if (!status) {
      status = el("p", { "class": "es-status", role: "status", "aria-live": "polite" });
      form.appendChild(status);
    }
    return status;
  }
  function clearErrors(form) {
    Array.prototype.forEach.call(form.querySelectorAll(".es-error"), function (n) { n.parentNode.removeChild(n); });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (n) {
      n.removeAttribute("aria-invalid");
      var described = (n.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id.indexOf("es-err-") !== 0; });
      if (described.length) { n.setAttribute("aria-describedby", described.join(" ")); } else { n.removeAttribute("aria-describedby"); }
    });
  }
  function messagesOf(value) {
    if (Array.isArray(value)) { return value.map(messagesOf).join(" "); }
    if (value && typeof value === "object") { return Object.keys(value).map(function (k) { return messagesOf(value[k]); }).join(" "); }
    return String(value);
  }
  var errorCount = 0;
  function showErrors(form, errors) {
    var general = [];
    var first = null;
    Object.keys(errors || {}).forEach(function (name) {
      var field = form.elements.namedItem(name);
      var text = messagesOf(errors[name]);
      if (!field || !field.getAttribute || field.type === "hidden") { general.push(text); return; }
      var id = "es-err-" + (++errorCount);
      var note = el("p", { "class": "es-error", id: id }, text);
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", ((field.getAttribute("aria-describedby") || "") + " " + id).trim());
      field.insertAdjacentElement("afterend", note);
      first = first || field;
    });
    var status = statusFor(form);
    status.className = "es-status es-bad";
    status.textContent = general.length ? general.join(" ") : "Please correct the highlighted fields.";
    if (first) { first.focus(); }
  }

  /* Retries only when no answer arrived (fetch rejected): the server never saw the request or
     its answer was lost. Any HTTP answer, error or not, ends the attempt. */
  var RETRY_DELAYS = [1000, 2000, 4000, 8000];
  function postWithRetry(path, body, onRetry) {
    var attempt = 0;
    function tryOnce() {
      return post(path, body).catch(function (error) {
        if (attempt >= RETRY_DELAYS.length) { throw error; }
        var delay = RETRY_DELAYS[attempt++];
        onRetry(delay, attempt);
        return new Promise(function (resolve) { setTimeout(resolve, delay); }).then(tryOnce);
      });
    }
    return tryOnce();
  }

  /* --- Form helper --- */
  var FORM_PATHS = { demo_request: "leads/", contact: "leads/", newsletter: "leads/", assessment: "assessments/" };
  var SUCCESS = {
    demo_request: "Thank you! We will be in touch within one business day to schedule your demo.",
    contact: "Thank you! We will get back to you shortly.",
    newsletter: "You are subscribed.",
    assessment: "Thank you! Your security assessment has been requested; we will e-mail you the report."
  };
  function formPayload(form, kind) {
    var body = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.disabled || field.type === "submit" || field.type === "button") { return; }
      if (field.type === "checkbox") { body[field.name] = field.checked; return; }
      if (field.type === "radio" && !field.checked) { return; }
      if (field.type === "number") { if (field.value !== "") { body[field.name] = Number(field.value); } return; }
      body[field.name] = field.value.trim();
    });
    if (kind !== "assessment") { body.form = kind; }
    if (visitorId) { body.visitor_id = visitorId; }
    if (referralCode) { body.referral_code = referralCode; }
    Object.keys(utm).forEach(function (k) { body[k] = utm[k]; });
    body.page_url = location.href.slice(0, 2048);
    return body;
  }
  function bindForm(form) {
    var kind = form.getAttribute("data-es-form");
    if (!FORM_PATHS[kind] || form.getAttribute("data-es-bound")) { return; }
    form.setAttribute("data-es-bound", "1");
    form.noValidate = true;  // the API's messages are shown inline instead of the browser's bubbles
    var busy = false;
    track("form_view", { form: kind });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) { return; }  // one submission at a time: never a double submit
      busy = true;
      var buttons = form.querySelectorAll("button[type=submit],input[type=submit],button:not([type])");
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
      clearErrors(form);
      var status = statusFor(form);
      status.className = "es-status";
      status.textContent = "Sending…";
      var body = formPayload(form, kind);
      postWithRetry(FORM_PATHS[kind], body, function (delay) {
        status.textContent = "Network problem; trying again in " + Math.round(delay / 1000) + " s…";
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.ok) {
            status.className = "es-status es-ok";
            status.textContent = SUCCESS[kind];
            form.setAttribute("data-es-done", "1");
            Array.prototype.forEach.call(form.elements, function (f) { if (f.type !== "hidden") { f.disabled = true; } });
            track("form_submit", { form: kind });
            return;
          }
          if (response.status === 400) { showErrors(form, data); }
          else if (response.status === 429) { status.className = "es-status es-bad"; status.textContent = "Too many attempts; please wait a minute and try again."; }
          else { status.className = "es-status es-bad"; status.textContent = (data && data.detail) || "Something went wrong; please try again."; }
          Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
        });
      }).catch(function () {
        status.className = "es-status es-bad";
        status.textContent = "We could not reach our server. Please check your connection and try again.";
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
      }).then(function () { busy = false; });
    });
  }

  /* --- ROI calculator --- */
  var INDUSTRIES = [["financial", "Financial services"], ["healthcare", "Healthcare"], ["technology", "Technology"],
    ["industrial", "Industrial"], ["energy", "Energy"], ["retail", "Retail"], ["public_sector", "Public sector"], ["other", "Other"]];
  var REGIONS = [["us", "United States"], ["canada", "Canada"], ["europe", "Europe"], ["middle_east", "Middle East"],
    ["asia_pacific", "Asia-Pacific"], ["latin_america", "Latin America"], ["other", "Other"]];
  var roiCount = 0;
  function money(value) {
    var n = Number(value);
    return isFinite(n) ? "$" + Math.round(n).toLocaleString("en-US") : String(value);
  }
  function bindRoi(container) {
    if (container.getAttribute("data-es-bound")) { return; }
    container.setAttribute("data-es-bound", "1");
    var n = ++roiCount;
    var form = el("form", { "class": "es-roi", "aria-label": "ROI calculator" });
    function field(label, input) {
      input.id = "es-roi-" + n + "-" + input.name;
      form.appendChild(el("label", { "for": input.id }, label));
      form.appendChild(input);
    }
    field("Employees", el("input", { name: "employees", type: "number", min: "1", required: "", value: "5000" }));
    field("Annual security budget (USD)", el("input", { name: "annual_security_budget", type: "number", min: "0", step: "1000", required: "", value: "2000000" }));
    function select(name, options) {
      var s = el("select", { name: name });
      options.forEach(function (o) { s.appendChild(el("option", { value: o[0] }, o[1])); });
      return s;
    }
    field("Industry", select("industry", INDUSTRIES));
    field("Region", select("region", REGIONS));
    form.appendChild(el("button", { type: "submit" }, "Calculate"));
    var result = el("div", { "class": "es-roi-result", role: "status", "aria-live": "polite" });
    form.appendChild(result);
    container.appendChild(form);
    var busy = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (busy) { return; }
      busy = true;
      clearErrors(form);
      result.textContent = "Calculating…";
      var body = {
        employees: Number(form.elements.employees.value) || 0,
        annual_security_budget: form.elements.annual_security_budget.value || "0",
        industry: form.elements.industry.value,
        region: form.elements.region.value
      };
      if (visitorId) { body.visitor_id = visitorId; }
      postWithRetry("roi/", body, function () { result.textContent = "Network problem; trying again…"; })
        .then(function (response) {
          return response.json().catch(function () { return {}; }).then(function (data) {
            result.textContent = "";
            if (!response.ok) { if (response.status === 400) { showErrors(form, data); } else { result.textContent = "The calculator is unavailable right now."; } return; }
            var out = data.outputs || {};
            var dl = el("dl");
            [["Expected annual breach exposure", out.expected_annual_exposure],
             ["Estimated cost of one breach", out.estimated_breach_cost],
             ["Potential annual savings", out.potential_annual_savings]].forEach(function (row) {
              dl.appendChild(el("dt", {}, row[0]));
              dl.appendChild(el("dd", {}, money(row[1])));
            });
            result.appendChild(dl);
          });
        })
        .catch(function () { result.textContent = "We could not reach our server. Please try again."; })
        .then(function () { busy = false; });
    });
  }

  /* --- Chat widget --- */
  function loadChat() {
    if (script.getAttribute("data-chat") === "off" || document.querySelector("script[data-es-chat]")) { return; }
    if (visitorId) {
      // The chat and the tracker are one visitor: give the widget the cookie's id if it has none.
      try {
        var storeKey = "es-chat:" + siteKey;
        var saved = JSON.parse(localStorage.getItem(storeKey) || "{}") || {};
        if (!saved.visitorId) { saved.visitorId = visitorId; localStorage.setItem(storeKey, JSON.stringify(saved)); }
      } catch (e) { /* private mode: the chat makes its own id */ }
    }
    var chat = el("script", { src: server.origin + "/static/chat/widget.js", "data-site-key": siteKey, "data-es-chat": "1" });
    chat.async = true;
    document.body.appendChild(chat);
  }

  function start() {
    document.head.appendChild(style);
    track("page_view", {});
    Array.prototype.forEach.call(document.querySelectorAll("form[data-es-form]"), bindForm);
    Array.prototype.forEach.call(document.querySelectorAll("[data-es-roi]"), bindRoi);
    loadChat();
  }

  window.EnterpriseScanner = {
    visitorId: function () { return visitorId; },
    referralCode: function () { return referralCode; },
    trackingDeclined: declined,
    track: function (type, data) { track(type, data); },
    flush: flush,
    bindForm: bindForm,
    bindRoi: bindRoi
  };
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
