// The customer portal's live updates: the page follows the customer's own events (the API's
// filter) and, on one, fetches itself again and replaces the parts marked live. The reply being
// written is never touched. Without script (or EventSource) the page is simply static.
(function () {
  "use strict";
  var live = document.querySelector("[data-portal-live]");
  if (!live || !window.EventSource || !window.fetch || !window.DOMParser) return;
  var number = live.getAttribute("data-number");
  var parts = live.getAttribute("data-portal-live").split(" ");
  var timer = null;
  var reload = function () {
    fetch(window.location.pathname + window.location.search, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (text) {
        if (!text) return;
        var fresh = new DOMParser().parseFromString(text, "text/html");
        parts.forEach(function (id) {
          var now = document.getElementById(id);
          var next = fresh.getElementById(id);
          if (now && next) now.replaceWith(document.importNode(next, true));
        });
      })
      .catch(function () { /* the next event tries again */ });
  };
  var source = new EventSource("/portal/events");
  ["ticket.created", "ticket.updated", "message.added"].forEach(function (name) {
    source.addEventListener(name, function (event) {
      if (number) {
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
})();

// The intake form's branches: a question that applies only on an earlier answer shows when that
// answer is given, and is disabled (so neither asked nor posted) otherwise. Without script every
// question shows with a line saying when it applies, and the server keeps only those that do.
(function () {
  "use strict";
  var form = document.querySelector("form[data-journey]");
  if (!form) return;
  var answered = function (key) {
    var values = [];
    form.querySelectorAll("[name=\"a:" + key + "\"]").forEach(function (input) {
      if (input.disabled) return;
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked) values.push(input.value.toLowerCase());
      } else if (input.value) {
        values.push(input.value.toLowerCase());
      }
    });
    return values;
  };
  var update = function () {
    // In the document's order: a branch inside a branch follows its parent.
    form.querySelectorAll("[data-show-if]").forEach(function (question) {
      var key = question.getAttribute("data-show-if");
      var wanted = [];
      try { wanted = JSON.parse(question.getAttribute("data-any-of")) || []; } catch (e) { wanted = []; }
      var source = document.getElementById("q-" + key);
      var given = answered(key);
      var shown = !!source && !source.hidden && wanted.some(function (w) {
        return given.indexOf(String(w).toLowerCase()) >= 0;
      });
      question.hidden = !shown;
      question.querySelectorAll("input, textarea, select").forEach(function (input) {
        input.disabled = !shown;
      });
    });
  };
  form.querySelectorAll(".when").forEach(function (hint) { hint.hidden = true; });
  form.addEventListener("change", update);
  update();
})();
