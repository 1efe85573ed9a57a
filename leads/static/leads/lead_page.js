/* The lead record page: the "Edit details" drawer (open/close, Escape, focus in and back) and
   the composer's submit label. Everything else works without script: the composer's type tabs are
   radio buttons and the timeline chips are links. Loaded from a static file (the CSP allows no
   inline script). */
(function () {
  "use strict";

  function initDrawer() {
    var drawer = document.getElementById("crm-drawer");
    var openButton = document.getElementById("crm-edit-open");
    var closeButton = document.getElementById("crm-edit-close");
    if (!drawer || !openButton) { return; }

    function setOpen(open, restoreFocus) {
      drawer.classList.toggle("is-open", open);
      drawer.dataset.open = open ? "true" : "false";
      openButton.setAttribute("aria-expanded", open ? "true" : "false");
      if (open) {
        var first = drawer.querySelector(".errorlist ~ * input, .errors input, .errors select, .errors textarea") ||
          drawer.querySelector("input:not([type=hidden]):not([disabled]), select, textarea");
        (first || closeButton).focus({ preventScroll: false });
      } else if (restoreFocus) {
        openButton.focus();
      }
    }

    openButton.addEventListener("click", function () { setOpen(true); });
    if (closeButton) { closeButton.addEventListener("click", function () { setOpen(false, true); }); }
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && drawer.classList.contains("is-open")) { setOpen(false, true); }
    });
    if (drawer.dataset.open === "true") { setOpen(true); }
  }

  var VERBS = { note: "Add note", call: "Log call", email: "Log e-mail", meeting: "Log meeting", task: "Add task" };
  var PLACEHOLDERS = {
    note: "Write a note…",
    call: "What was said? (optional)",
    email: "Subject and gist of the e-mail",
    meeting: "Who met, what was agreed"
  };

  function initComposer() {
    var form = document.querySelector("#crm-composer form");
    if (!form) { return; }
    var submit = form.querySelector("#crm-composer-submit");
    var body = form.querySelector("textarea");
    function sync() {
      var checked = form.querySelector("input[name=activity_type]:checked");
      var type = checked ? checked.value : "note";
      form.dataset.type = type;
      if (submit && VERBS[type]) { submit.textContent = VERBS[type]; }
      if (body && PLACEHOLDERS[type]) { body.placeholder = PLACEHOLDERS[type]; }
    }
    form.addEventListener("change", function (event) {
      if (event.target && event.target.name === "activity_type") { sync(); }
    });
    sync();
  }

  function init() { initDrawer(); initComposer(); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
