/* The pipeline board (admin/leads/board.html): move a card by dragging it onto another column
   or a Closed won / Closed lost zone, or with its "Move to…" menu (keyboard). Every move is one
   POST to the board's move endpoint, which changes the status through the leads service; the card
   moves at once and snaps back, with the reason shown, if the server refuses. Closing as lost asks
   for the reason first. Only text and attributes are set here, never HTML. */
(function () {
  "use strict";

  var board = document.getElementById("board");
  if (!board) {
    return;
  }
  var moveUrl = board.getAttribute("data-move-url");
  var canMove = board.getAttribute("data-can-move") === "1";
  var csrfInput = board.querySelector("input[name=csrfmiddlewaretoken]");
  var statusLine = document.getElementById("board-status");
  var dialog = document.getElementById("board-lost-dialog");
  var menu = document.getElementById("board-move-menu");
  var targets = JSON.parse(document.getElementById("board-targets").textContent);
  var dragged = null;
  var busy = false;

  function say(message, kind) {
    statusLine.textContent = message;
    statusLine.setAttribute("data-kind", kind || "ok");
  }

  function labelOf(status) {
    for (var i = 0; i < targets.length; i++) {
      if (targets[i].status === status) {
        return targets[i].label;
      }
    }
    return status;
  }

  function dropFor(status) {
    return board.querySelector("[data-drop][data-status='" + status + "']");
  }

  function cardsIn(body) {
    return body.querySelectorAll(".board-card");
  }

  /* Column heads, zones, "N more" links and empty notes after a move, from the server's totals. */
  function updateTotals(columns, summary) {
    columns.forEach(function (column) {
      board.querySelectorAll("[data-col='" + column.status + "']").forEach(function (box) {
        var count = box.querySelector("[data-count]");
        var value = box.querySelector("[data-value]");
        var weighted = box.querySelector("[data-weighted]");
        if (count) { count.textContent = column.count; }
        if (value) { value.textContent = column.value_label; }
        if (weighted) { weighted.textContent = column.weighted_label; }
        var body = box.querySelector(".board-col-body");
        if (body) {
          var shown = cardsIn(body).length;
          var empty = body.querySelector(".board-empty");
          if (empty) { empty.hidden = shown > 0; }
          var more = box.querySelector("[data-more]");
          if (more) {
            var rest = Math.max(column.count - shown, 0);
            more.hidden = rest === 0;
            more.querySelector("[data-more-count]").textContent = rest;
          }
        }
      });
    });
    if (summary) {
      board.querySelector("[data-open-count]").textContent = summary.open_count;
      board.querySelector("[data-open-value]").textContent = summary.open_value_label;
      board.querySelector("[data-open-weighted]").textContent = summary.open_weighted_label;
    }
  }

  function refreshEmpty() {
    board.querySelectorAll(".board-col-body").forEach(function (body) {
      var empty = body.querySelector(".board-empty");
      if (empty) { empty.hidden = cardsIn(body).length > 0; }
    });
  }

  /* Ask for the lost reason; resolves with the text, or null when the rep cancels. */
  function askLostReason(card) {
    return new Promise(function (resolve) {
      var form = document.getElementById("board-lost-form");
      var reason = document.getElementById("board-lost-reason");
      var error = document.getElementById("board-lost-error");
      var cancel = document.getElementById("board-lost-cancel");
      document.getElementById("board-lost-name").textContent = card.getAttribute("data-name");
      reason.value = "";
      error.hidden = true;
      var done = false;

      function finish(value) {
        if (done) { return; }
        done = true;
        form.removeEventListener("submit", onSubmit);
        cancel.removeEventListener("click", onCancel);
        dialog.removeEventListener("close", onClose);
        if (dialog.open) { dialog.close(); }
        resolve(value);
      }
      function onSubmit(event) {
        event.preventDefault();
        var text = reason.value.trim();
        if (!text) {
          error.textContent = "Say why the deal was lost.";
          error.hidden = false;
          reason.focus();
          return;
        }
        finish(text);
      }
      function onCancel() { finish(null); }
      function onClose() { finish(null); }

      form.addEventListener("submit", onSubmit);
      cancel.addEventListener("click", onCancel);
      dialog.addEventListener("close", onClose);
      dialog.showModal();
      reason.focus();
    });
  }

  function post(body) {
    return fetch(moveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": csrfInput ? csrfInput.value : "",
        "X-Requested-With": "XMLHttpRequest"
      },
      body: JSON.stringify(body)
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        return { ok: false, error: "The move was not saved (HTTP " + response.status + "). Reload the page and try again." };
      }
      return response.json();
    }, function () {
      return { ok: false, error: "The move was not saved: the server could not be reached. Try again." };
    });
  }

  /* Move `card` to `status`: optimistic, then confirmed or snapped back. */
  function moveCard(card, status) {
    var from = card.getAttribute("data-status");
    if (!canMove || busy || !status || status === from) {
      return Promise.resolve(false);
    }
    var name = card.getAttribute("data-name");
    var origin = { parent: card.parentNode, next: card.nextSibling };
    var ask = status === "closed_lost" ? askLostReason(card) : Promise.resolve("");
    return ask.then(function (reason) {
      if (reason === null) {
        say("Not moved: " + name + " stays in " + labelOf(from) + ".", "ok");
        return false;
      }
      busy = true;
      var drop = dropFor(status);
      var intoColumn = drop && drop.classList.contains("board-col-body");
      if (intoColumn) {
        drop.insertBefore(card, drop.querySelector(".board-card"));
      } else {
        card.hidden = true;
      }
      card.classList.add("is-saving");
      card.setAttribute("aria-busy", "true");
      refreshEmpty();
      return post({ lead: card.getAttribute("data-lead"), status: status, from: from, lost_reason: reason })
        .then(function (answer) {
          card.classList.remove("is-saving");
          card.removeAttribute("aria-busy");
          busy = false;
          if (answer.ok) {
            card.setAttribute("data-status", answer.lead.status);
            if (!intoColumn) {
              card.remove();
            }
            updateTotals(answer.columns, answer.summary);
            say(answer.message, "ok");
            return true;
          }
          origin.parent.insertBefore(card, origin.next && origin.next.parentNode === origin.parent ? origin.next : null);
          card.hidden = false;
          refreshEmpty();
          card.classList.remove("is-refused");
          void card.offsetWidth; /* restart the shake */
          card.classList.add("is-refused");
          say("Not moved: " + answer.error, "error");
          return false;
        });
    });
  }

  /* --- Drag and drop ------------------------------------------------------------------------ */

  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".board-card");
    if (!card || !canMove || busy) {
      event.preventDefault();
      return;
    }
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-lead"));
    card.classList.add("is-dragged");
    board.classList.add("is-dragging");
    closeMenu(false);
  });

  board.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("is-dragged"); }
    dragged = null;
    board.classList.remove("is-dragging");
    board.querySelectorAll(".is-over").forEach(function (zone) { zone.classList.remove("is-over"); });
  });

  function zoneAt(event) {
    var zone = event.target.closest && event.target.closest("[data-drop]");
    if (!zone || !dragged || zone.getAttribute("data-status") === dragged.getAttribute("data-status")) {
      return null;
    }
    return zone;
  }

  board.addEventListener("dragover", function (event) {
    var zone = zoneAt(event);
    if (!zone) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    zone.classList.add("is-over");
  });

  board.addEventListener("dragleave", function (event) {
    var zone = event.target.closest && event.target.closest("[data-drop]");
    if (zone && !zone.contains(event.relatedTarget)) {
      zone.classList.remove("is-over");
    }
  });

  board.addEventListener("drop", function (event) {
    var zone = zoneAt(event);
    if (!zone) { return; }
    event.preventDefault();
    zone.classList.remove("is-over");
    var card = dragged;
    dragged = null;
    card.classList.remove("is-dragged");
    board.classList.remove("is-dragging");
    moveCard(card, zone.getAttribute("data-status"));
  });

  /* --- "Move to…" menu (keyboard and pointer) ----------------------------------------------- */

  var menuButton = null;

  function closeMenu(returnFocus) {
    if (menu.hidden) { return; }
    menu.hidden = true;
    if (menuButton) {
      menuButton.setAttribute("aria-expanded", "false");
      if (returnFocus) { menuButton.focus(); }
    }
    menuButton = null;
  }

  function openMenu(button) {
    var card = button.closest(".board-card");
    var current = card.getAttribute("data-status");
    menu.replaceChildren();
    targets.forEach(function (target) {
      if (target.status === current) { return; }
      var item = document.createElement("button");
      item.type = "button";
      item.setAttribute("role", "menuitem");
      item.setAttribute("data-status", target.status);
      item.textContent = target.label;
      menu.appendChild(item);
    });
    menu.hidden = false;
    /* Below the button, right edges aligned (the button sits at the card's right edge). */
    var box = button.getBoundingClientRect();
    var host = board.getBoundingClientRect();
    menu.style.left = Math.max(box.right - host.left - menu.offsetWidth, 0) + "px";
    menu.style.top = (box.bottom - host.top + 4) + "px";
    menuButton = button;
    button.setAttribute("aria-expanded", "true");
    menu.querySelector("button").focus();
  }

  board.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-move]");
    if (button) {
      var same = menuButton === button;
      closeMenu(false);
      if (!same) { openMenu(button); }
      return;
    }
    var item = event.target.closest && event.target.closest(".board-menu [role=menuitem]");
    if (item && menuButton) {
      var card = menuButton.closest(".board-card");
      closeMenu(false);
      moveCard(card, item.getAttribute("data-status")).then(function () {
        var again = card.isConnected && !card.hidden && card.querySelector("[data-move]");
        (again || statusLine).focus();
      });
      return;
    }
    if (!menu.hidden && !menu.contains(event.target)) {
      closeMenu(false);
    }
  });

  menu.addEventListener("keydown", function (event) {
    var items = Array.prototype.slice.call(menu.querySelectorAll("[role=menuitem]"));
    var index = items.indexOf(document.activeElement);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      items[(index + step + items.length) % items.length].focus();
    } else if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      items[event.key === "Home" ? 0 : items.length - 1].focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      closeMenu(true);
    } else if (event.key === "Tab") {
      closeMenu(false);
    }
  });

  /* --- The manager's owner picker submits itself -------------------------------------------- */

  var ownerForm = document.getElementById("board-owner-form");
  if (ownerForm) {
    ownerForm.classList.add("js-auto");
    ownerForm.querySelector("select").addEventListener("change", function () {
      ownerForm.submit();
    });
  }
})();
