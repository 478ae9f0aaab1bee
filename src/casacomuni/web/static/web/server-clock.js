// The platform's clock in the footer of every page (issue 13: the server's clock decides the deadlines).
// The page prints the server's time when it was made; this keeps it running, from the server's time and not
// from the computer's, whose clock may be wrong: it measures the difference once and adds the elapsed time.
(function () {
  "use strict";
  function start() {
    var clock = document.getElementById("server-clock");
    if (!clock) { return; }
    var offset = Number(clock.dataset.serverEpoch) * 1000 - Date.now();
    var format = new Intl.DateTimeFormat("it-IT", {
      timeZone: "Europe/Rome", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false
    });
    function tick() {
      var now = new Date(Date.now() + offset);
      clock.textContent = format.format(now);
      clock.setAttribute("datetime", now.toISOString());
    }
    window.setInterval(tick, 1000);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
