// Live updates for the workspace: the server sends the flow's version over server-sent events;
// when it differs from what the page shows, the threads are fetched again and swapped in.
(function () {
  "use strict";
  var threads = document.getElementById("threads");
  if (!threads || !window.EventSource) {
    return;
  }
  var shown = threads.getAttribute("data-version");
  var loading = false;
  function refresh(version) {
    if (loading) {
      return;
    }
    loading = true;
    fetch(threads.getAttribute("data-src"), { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) {
          throw new Error("HTTP " + r.status);
        }
        return r.text();
      })
      .then(function (html) {
        // Keep keyboard focus where it was if that element survives the swap.
        var focused = document.activeElement && document.activeElement.closest("form");
        var action = focused ? focused.getAttribute("action") : null;
        threads.innerHTML = html;
        threads.setAttribute("data-version", version);
        shown = version;
        if (action) {
          var again = threads.querySelector('form[action="' + action + '"] button');
          if (again) {
            again.focus();
          }
        }
      })
      .catch(function () {})
      .finally(function () {
        loading = false;
      });
  }
  var events = new EventSource(threads.getAttribute("data-events"));
  events.addEventListener("version", function (e) {
    if (e.data !== shown) {
      refresh(e.data);
    }
  });
  events.addEventListener("signed-out", function () {
    events.close();
  });
})();

/* workflows */
// A running workflow action: while the task page shows an execution that is pending or running,
// its live part is fetched again, every few hundred milliseconds and less often as time goes on,
// until the execution has finished. Keyboard focus goes to the progress so it is read out.
(function () {
  "use strict";
  var live = document.getElementById("task-live");
  if (!live || !window.fetch) {
    return;
  }
  var delay = 250;
  function unfinished() {
    return live.querySelector('[data-execution="Pending"], [data-execution="Running"]');
  }
  function focusProgress() {
    var progress = document.getElementById("execution");
    if (progress) {
      progress.focus();
    }
  }
  function poll() {
    if (!unfinished()) {
      return;
    }
    setTimeout(function () {
      fetch(live.getAttribute("data-src"), { credentials: "same-origin" })
        .then(function (r) {
          if (r.redirected) {
            return null; // signed out: stop asking
          }
          if (!r.ok) {
            throw new Error("HTTP " + r.status);
          }
          return r.text();
        })
        .then(function (html) {
          if (html === null) {
            return;
          }
          var hadFocus = live.contains(document.activeElement);
          live.innerHTML = html;
          if (hadFocus) {
            focusProgress();
          }
          poll();
        })
        .catch(function () {
          poll();
        });
    }, delay);
    delay = Math.min(delay * 1.5, 3000);
  }
  focusProgress();
  poll();
})();
