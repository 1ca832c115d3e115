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
