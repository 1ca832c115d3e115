// The workspace's own script: keyboard shortcuts, the composer's draft kept across reloads,
// "use the AI draft", and live updates from the event stream. No inline script anywhere: the
// Content-Security-Policy allows only files from this server. Everything here is progressive:
// without it every page and form still works.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  function typing(target) {
    if (!target || !target.tagName) return false;
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  // ---- The list: j / k choose a row, Enter or o open it.
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("tr[data-ticket]"));
  }
  function chosen() {
    return document.querySelector("tr[data-ticket][aria-selected='true']");
  }
  function choose(row) {
    rows().forEach(function (r) { r.removeAttribute("aria-selected"); });
    if (!row) return;
    row.setAttribute("aria-selected", "true");
    var link = row.querySelector("a.ticket-link");
    if (link) link.focus();
  }
  function move(step) {
    var all = rows();
    if (all.length === 0) return;
    var at = all.indexOf(chosen());
    if (at < 0) {
      var focused = document.activeElement && document.activeElement.closest
        ? document.activeElement.closest("tr[data-ticket]") : null;
      at = focused ? all.indexOf(focused) : (step > 0 ? -1 : all.length);
    }
    var next = Math.min(all.length - 1, Math.max(0, at + step));
    choose(all[next]);
  }
  function openChosen() {
    var row = chosen();
    var link = row && row.querySelector("a.ticket-link");
    if (link) window.location.assign(link.getAttribute("href"));
  }

  // ---- The ticket page.
  function compose(kind) {
    var form = document.getElementById("composer");
    if (!form) return;
    var radio = form.querySelector("input[name='kind'][value='" + kind + "']");
    if (radio) radio.checked = true;
    var body = document.getElementById("body");
    if (body) body.focus();
  }
  function click(id) {
    var el = document.getElementById(id);
    if (el) el.click();
  }
  function focus(id) {
    var el = document.getElementById(id);
    if (el) { el.focus(); return true; }
    return false;
  }

  var shortcuts = document.getElementById("shortcuts");
  function showShortcuts() {
    if (shortcuts && typeof shortcuts.showModal === "function" && !shortcuts.open) {
      shortcuts.showModal();
    }
  }
  var shortcutsButton = document.getElementById("shortcuts-button");
  if (shortcutsButton) shortcutsButton.addEventListener("click", showShortcuts);

  var pendingG = false;
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (typing(event.target)) return;
    if (shortcuts && shortcuts.open) return;
    var key = event.key;
    if (pendingG) {
      pendingG = false;
      if (key === "l") { event.preventDefault(); window.location.assign("/tickets"); }
      return;
    }
    var handled = true;
    switch (key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "o": openChosen(); break;
      case "Enter":
        if (chosen() && document.activeElement === document.body) openChosen();
        else handled = false;
        break;
      case "/":
        if (!focus("q")) window.location.assign("/tickets");
        break;
      case "r": compose("reply"); break;
      case "n": compose("note"); break;
      case "a": click("take"); break;
      case "s": focus("field-status"); break;
      case "g": pendingG = true; break;
      case "?": showShortcuts(); break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });

  // ---- The composer's draft survives a reload (kept in this browser only).
  var composer = document.getElementById("composer");
  var body = document.getElementById("body");
  var state = document.getElementById("draft-state");
  if (composer && body) {
    var key = composer.getAttribute("data-draft-key");
    var store = null;
    try { store = window.localStorage; } catch (e) { store = null; }
    if (store && key) {
      var kept = store.getItem(key);
      if (kept && body.value.trim() === "") {
        body.value = kept;
        if (state) state.textContent = "Your unsent draft was restored.";
      }
      body.addEventListener("input", function () {
        if (body.value.trim() === "") store.removeItem(key); else store.setItem(key, body.value);
      });
    }
    var aiDraft = document.getElementById("ai-draft");
    var useDraft = document.getElementById("use-draft");
    var confirmedUnedited = false;
    if (useDraft && aiDraft) {
      useDraft.addEventListener("click", function () {
        body.value = aiDraft.textContent.trim();
        body.dispatchEvent(new Event("input"));
        compose("reply");
        if (state) state.textContent = "The AI draft is in the editor: read it and edit it before sending.";
      });
    }
    composer.addEventListener("submit", function (event) {
      // Never the assistant's draft sent unedited by accident: the first Send asks again.
      if (aiDraft && !confirmedUnedited && body.value.trim() === aiDraft.textContent.trim()) {
        event.preventDefault();
        confirmedUnedited = true;
        if (state) state.textContent = "This is the AI draft, unedited. Edit it, or press Send again to send it as it is.";
        body.focus();
        return;
      }
      if (store && key) store.removeItem(key);
    });
  }
})();
