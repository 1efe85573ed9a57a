/* Partner portal: the "Copy link" button, and focus on a form's error summary so keyboard and
   screen-reader users hear what went wrong. A static file: the portal's CSP allows no inline script. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var alert = document.querySelector("[data-focus]");
    if (alert) { alert.focus(); }
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.addEventListener("click", function () {
        var input = document.getElementById(button.getAttribute("data-copy"));
        var status = button.parentElement.querySelector(".copied");
        var done = function () { if (status) { status.textContent = "Copied"; setTimeout(function () { status.textContent = ""; }, 2500); } };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(done, function () { input.select(); });
        } else {
          input.select();
          try { document.execCommand("copy"); done(); } catch (e) { /* the text stays selected */ }
        }
      });
    });
  });
})();
