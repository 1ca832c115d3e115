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

  // "Select every ticket on this page" (the list is replaced live, so the box is found anew).
  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "select-all") {
      var on = event.target.checked;
      Array.prototype.forEach.call(document.querySelectorAll("input[name='tickets']"),
        function (box) { box.checked = on; });
    }
  });

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
      case "x": {
        var row = chosen();
        var box = row && row.querySelector("input[name='tickets']");
        if (box) box.checked = !box.checked;
        break;
      }
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
    // The assistant's draft (its panel may arrive later, by a live update): into the editor to
    // be read and edited.
    var useDraft = document.getElementById("use-draft");
    var draftText = function () {
      var panel = document.getElementById("ai-draft");
      return panel ? panel.textContent.trim() : null;
    };
    var confirmedUnedited = false;
    if (useDraft) {
      document.addEventListener("frontdesk:updated", function () {
        useDraft.hidden = draftText() === null;
      });
      useDraft.addEventListener("click", function () {
        var text = draftText();
        if (text === null) return;
        body.value = text;
        body.dispatchEvent(new Event("input"));
        compose("reply");
        if (state) state.textContent = "The AI draft is in the editor: read it and edit it before sending.";
      });
    }
    // Presence: others see that someone is writing while the composer is being typed in.
    var typingState = document.getElementById("typing");
    var quiet = null;
    var announce = function () { document.body.dispatchEvent(new CustomEvent("frontdesk:typing")); };
    if (typingState) {
      body.addEventListener("input", function () {
        if (typingState.value !== "true") { typingState.value = "true"; announce(); }
        window.clearTimeout(quiet);
        quiet = window.setTimeout(function () { typingState.value = "false"; announce(); }, 8000);
      });
      var csrf = composer.querySelector("input[name='csrf']");
      var layout = document.querySelector("[data-live='ticket']");
      window.addEventListener("pagehide", function () {
        if (!navigator.sendBeacon || !csrf || !layout) return;
        var leave = new URLSearchParams({ csrf: csrf.value, leave: "true" });
        navigator.sendBeacon("/tickets/" + layout.getAttribute("data-number") + "/presence", leave);
      });
    }

    // Canned responses: filtered as one types, inserted where the cursor is.
    var cannedSearch = document.getElementById("canned-search");
    if (cannedSearch) {
      cannedSearch.addEventListener("input", function () {
        var words = cannedSearch.value.toLowerCase().split(/\s+/).filter(Boolean);
        Array.prototype.forEach.call(document.querySelectorAll("#canned li[data-search]"), function (li) {
          var text = li.getAttribute("data-search");
          li.hidden = !words.every(function (w) { return text.indexOf(w) >= 0; });
        });
      });
    }
    document.addEventListener("click", function (event) {
      var button = event.target && event.target.closest ? event.target.closest(".canned-insert") : null;
      if (!button) return;
      var source = document.getElementById(button.getAttribute("data-text"));
      if (!source) return;
      var text = source.textContent;
      var at = body.selectionStart || 0, end = body.selectionEnd || 0;
      body.value = body.value.slice(0, at) + text + body.value.slice(end);
      body.dispatchEvent(new Event("input"));
      body.focus();
      body.selectionStart = body.selectionEnd = at + text.length;
      var details = document.getElementById("canned");
      if (details) details.open = false;
    });
    composer.addEventListener("submit", function (event) {
      // Never the assistant's draft sent unedited by accident: the first Send asks again.
      if (!confirmedUnedited && draftText() !== null && body.value.trim() === draftText()) {
        event.preventDefault();
        confirmedUnedited = true;
        if (state) state.textContent = "This is the AI draft, unedited. Edit it, or press Send again to send it as it is.";
        body.focus();
        return;
      }
      if (store && key) store.removeItem(key);
    });
  }

  // ---- Live: the list and the ticket page follow the event stream by themselves. The parts
  // that changed are fetched again and replaced; the composer and the filters never are, and
  // the header is left alone while someone is editing in it.
  var live = document.querySelector("[data-live]");
  if (live && window.EventSource && window.fetch && window.DOMParser) {
    var mode = live.getAttribute("data-live");
    var number = live.getAttribute("data-number");
    var parts = mode === "list" ? ["results"]
      : mode === "analytics" ? ["tiles"]
      : ["header", "timeline", "presence", "ai-panel"];
    var timer = null;
    var reload = function () {
      fetch(window.location.pathname + window.location.search, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (text) {
          if (!text) return;
          var fresh = new DOMParser().parseFromString(text, "text/html");
          var picked = Array.prototype.map.call(
            document.querySelectorAll("input[name='tickets']:checked"),
            function (box) { return box.value; });
          var selected = chosen();
          var keep = selected ? selected.getAttribute("data-ticket") : null;
          var hadFocus = selected && selected.contains(document.activeElement);
          parts.forEach(function (id) {
            var now = document.getElementById(id);
            var next = fresh.getElementById(id);
            if (!now || !next) return;
            if (id === "header" && now.contains(document.activeElement)) return;
            var adopted = document.importNode(next, true);
            now.replaceWith(adopted);
            if (window.htmx) window.htmx.process(adopted);
          });
          picked.forEach(function (value) {
            var box = document.querySelector("input[name='tickets'][value='" + value + "']");
            if (box) box.checked = true;
          });
          if (keep) {
            var again = document.querySelector("tr[data-ticket='" + keep + "']");
            if (again) {
              again.setAttribute("aria-selected", "true");
              if (hadFocus) { var link = again.querySelector("a.ticket-link"); if (link) link.focus(); }
            }
          }
          document.dispatchEvent(new CustomEvent("frontdesk:updated"));
        })
        .catch(function () { /* the next event tries again */ });
    };
    var source = new EventSource("/events");
    var names = ["ticket.created", "ticket.updated", "message.added", "sla.warning", "sla.breached"];
    names.forEach(function (name) {
      source.addEventListener(name, function (event) {
        if (mode === "ticket") {
          try {
            var data = JSON.parse(event.data);
            if (!data.ticket || data.ticket.number !== number) return;
          } catch (e) { return; }
        }
        window.clearTimeout(timer);
        timer = window.setTimeout(reload, 150);
      });
    });
    window.addEventListener("pagehide", function () { source.close(); });
  }
})();
