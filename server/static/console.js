// Admin console: the little that needs script. Every page works without it.
(function () {
  "use strict";

  // Print buttons on the report.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // Ask before forms that change a walk for everyone.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  // Filters fold away on a phone: one line to open them, the report right below it.
  if (window.matchMedia("(max-width: 40rem)").matches) {
    document.querySelectorAll("details[data-fold-on-phone]").forEach(function (details) { details.open = false; });
  }

  // Select a link's whole text on focus, ready to copy.
  document.querySelectorAll("input.copy").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });

  // Live status: fetch the page's status part every few seconds and swap it in.
  var live = document.querySelector("[data-refresh-url]");
  if (!live) return;
  var state = document.querySelector("[data-refresh-state]");
  var seconds = Number(live.getAttribute("data-refresh-seconds")) || 10;
  function refresh() {
    if (document.hidden) return;
    fetch(live.getAttribute("data-refresh-url"), {credentials: "same-origin", cache: "no-store"})
      .then(function (response) {
        if (response.redirected || !response.ok) throw new Error(response.status === 200 ? "signed out" : String(response.status));
        return response.text();
      })
      .then(function (html) {
        live.innerHTML = html;
        if (state) state.textContent = "Updated at " + new Date().toLocaleTimeString() + ".";
      })
      .catch(function () {
        if (state) state.textContent = "Could not update at " + new Date().toLocaleTimeString() + "; retrying.";
      });
  }
  window.setInterval(refresh, seconds * 1000);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) refresh(); });
})();
