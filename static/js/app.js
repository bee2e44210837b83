// Progressive enhancement for the Amazon Sales Channel pages. Every page works without this file.
(function () {
  "use strict";

  var FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), ' +
    'textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

  // A link with data-opens-dialog opens that <dialog> instead of navigating (the link is the fallback).
  function openDialog(dialog, opener) {
    dialog.showModal();
    var first = dialog.querySelector(".dialog__body [href], .dialog__footer .button--primary") ||
      dialog.querySelector(FOCUSABLE);
    if (first) { first.focus(); }
    // Give focus back to the control that opened the dialog, however it closes (Escape, Cancel, ×, Continue).
    dialog.addEventListener("close", function () {
      if (opener && opener.isConnected) { opener.focus(); }
    }, { once: true });
  }

  // Keep Tab and Shift+Tab inside an open modal dialog.
  function trapFocus(event) {
    if (event.key !== "Tab") { return; }
    var dialog = event.currentTarget;
    var items = Array.prototype.filter.call(dialog.querySelectorAll(FOCUSABLE), function (el) {
      return el.offsetParent !== null;
    });
    if (!items.length) { return; }
    var first = items[0], last = items[items.length - 1];
    // From the dialog itself (a click on its text), Tab goes to the first control and Shift+Tab to the last.
    var outside = items.indexOf(document.activeElement) === -1;
    if (event.shiftKey && (outside || document.activeElement === first)) { last.focus(); event.preventDefault(); }
    else if (!event.shiftKey && (outside || document.activeElement === last)) { first.focus(); event.preventDefault(); }
  }

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-opens-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-opens-dialog"));
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        // A Connect store link points the dialog's one form at its own store.
        var action = opener.getAttribute("data-form-action");
        if (action) {
          var own = dialog.querySelector("form");
          if (own) { own.setAttribute("action", action); }
          else { dialog.querySelector("[data-connect-submit]").setAttribute("formaction", action); }
        }
        openDialog(dialog, opener);
      }
      return;
    }
    var closer = event.target.closest("[data-closes-dialog]");
    if (closer) { closer.closest("dialog").close(); return; }
    // Close open action menus when clicking elsewhere.
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.removeAttribute("open"); }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });

  document.querySelectorAll("dialog").forEach(function (dialog) {
    dialog.addEventListener("keydown", trapFocus);
  });

  // The dialog's form opens Seller Central in a new tab; this tab keeps the page, without the dialog.
  document.querySelectorAll("[data-connect-submit]").forEach(function (button) {
    button.addEventListener("click", function () {
      window.setTimeout(function () { button.closest("dialog").close(); }, 0);
    });
  });

  // Tell the application's other tabs that a store was connected, so they show its card anew.
  var CHANNEL = "asc-connections";
  var connected = document.querySelector("[data-connected-store]");
  if (connected && "BroadcastChannel" in window) {
    new BroadcastChannel(CHANNEL).postMessage({ store: connected.getAttribute("data-connected-store") });
    // Browsers close only tabs that a script opened; when this one stays, say so and leave the links.
    window.setTimeout(function () {
      window.close();
      var note = document.querySelector("[data-closing-note]");
      if (note && !window.closed) { note.hidden = false; }
    }, 2500);
  }
  if (!connected && "BroadcastChannel" in window && document.querySelector("[data-store-id], #amazon-connection")) {
    new BroadcastChannel(CHANNEL).onmessage = function () { window.location.reload(); };
  }

  // Bring the delete confirmation into focus when a card's "Delete" link leads here.
  if (window.location.hash === "#delete-store") {
    var input = document.querySelector("#delete-store input[type=text]");
    if (input) { input.focus(); }
  }
})();
