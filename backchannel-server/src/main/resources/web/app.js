// Live updates for the workspace: the server sends the flow's version over server-sent events;
// when it differs from what the page shows, the threads are fetched again and swapped in.
(function () {
  "use strict";
  var threads = document.querySelector("[data-events]");
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
    fetch(threads.getAttribute("data-src"), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
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
      fetch(live.getAttribute("data-src"), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) {
          if (r.status === 401) {
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

/* chat */
// The chat's forms (composer, app buttons) are sent in the background: the answer is a toast or a
// widget shown in place. A widget from an origin this page may not frame reloads the page whole,
// so the server can allow it. New messages arrive through the live list above.
(function () {
  "use strict";
  var list = document.getElementById("chat-messages");
  var toasts = document.getElementById("toasts");
  var widgets = document.getElementById("widgets");
  if (!list || !toasts || !widgets || !window.fetch) {
    return;
  }
  var allowed = (list.getAttribute("data-frame-origins") || "").split(" ").filter(Boolean);
  var opener = null;

  function originOf(url) {
    try {
      return new URL(url, location.href).origin;
    } catch (e) {
      return "";
    }
  }
  function framable(iframe) {
    return allowed.indexOf(originOf(iframe.getAttribute("src"))) >= 0;
  }
  function toast(text) {
    var p = document.createElement("p");
    p.className = "toast failed";
    p.textContent = text;
    show(p);
  }
  function show(node) {
    toasts.textContent = "";
    toasts.appendChild(node);
  }
  function openWidget(dialog) {
    dialog.addEventListener("close", function () {
      if (dialog.open) {
        return; // the close of reopening it as a modal, below
      }
      dialog.remove();
      if (opener && document.contains(opener)) {
        opener.focus();
      }
    });
    if (dialog.classList.contains("widget-modal") && dialog.showModal) {
      dialog.close();
      dialog.showModal();
    }
    var close = dialog.querySelector("form[method=dialog] button");
    if (close) {
      close.focus();
    }
  }
  // Live messages keep the newest in view, are announced one by one (not the whole list again),
  // and a widget they bring from an origin this page may not frame says so.
  var announce = document.getElementById("chat-announce");
  var seen = null;
  function newMessages() {
    var now = {};
    var fresh = [];
    list.querySelectorAll(".chat-message").forEach(function (m) {
      var key = m.id + "." + m.querySelectorAll(".attachment").length;
      now[key] = true;
      if (seen && !seen[key]) {
        fresh.push(m);
      }
    });
    seen = now;
    if (announce && fresh.length) {
      announce.textContent = fresh
        .slice(-3)
        .map(function (m) {
          var who = m.querySelector(".author");
          var text = m.querySelector(".text");
          var title = m.querySelector(".attachment .title");
          return (
            (who ? who.textContent + ": " : "") +
            (text ? text.textContent : "") +
            (title ? " (" + title.textContent + ")" : "")
          );
        })
        .join(". ");
    }
  }
  var atBottom = true;
  list.addEventListener("scroll", function () {
    atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
  });
  function settle() {
    list.querySelectorAll("iframe").forEach(function (f) {
      if (!framable(f)) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "secondary";
        b.textContent = "Reload to show this widget";
        b.addEventListener("click", function () {
          location.reload();
        });
        f.replaceWith(b);
      }
    });
    if (atBottom) {
      list.scrollTop = list.scrollHeight;
    }
    newMessages();
  }
  new MutationObserver(settle).observe(list, { childList: true });
  settle();
  widgets.querySelectorAll("dialog.widget").forEach(openWidget);
  // A toast rendered with the page is put in again so that screen readers announce it.
  if (toasts.children.length) {
    var first = Array.prototype.slice.call(toasts.childNodes);
    toasts.textContent = "";
    setTimeout(function () {
      first.forEach(function (n) {
        toasts.appendChild(n);
      });
    }, 100);
  }
  // Escape closes an open widget (a modal one closes by itself).
  document.addEventListener("keydown", function (e) {
    var open = widgets.querySelector("dialog.widget[open]");
    if (e.key === "Escape" && open) {
      e.preventDefault();
      open.close();
    }
  });
  toasts.addEventListener("click", function (e) {
    if (e.target.classList.contains("dismiss")) {
      e.target.closest(".toast").remove();
    }
  });

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.classList || !form.classList.contains("chat-act")) {
      return;
    }
    e.preventDefault();
    if (form.getAttribute("aria-busy") === "true") {
      return;
    }
    opener = e.submitter || document.activeElement;
    form.setAttribute("aria-busy", "true");
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    })
      .then(function (r) {
        return r.text().then(function (text) {
          return { ok: r.ok, status: r.status, text: text };
        });
      })
      .then(function (answer) {
        if (!answer.ok) {
          var doc = new DOMParser().parseFromString(answer.text, "text/html");
          var why = doc.querySelector("main p");
          toast(why ? why.textContent : "That did not work (HTTP " + answer.status + ").");
          return;
        }
        var t = document.createElement("template");
        t.innerHTML = answer.text;
        var frames = t.content.querySelectorAll("iframe");
        if (!Array.prototype.every.call(frames, framable)) {
          form.submit(); // opening a widget sends nothing to the app, so asking again is safe
          return;
        }
        var note = t.content.querySelector(".toast");
        if (note) {
          show(note);
        }
        var dialog = t.content.querySelector("dialog.widget");
        if (dialog) {
          widgets.textContent = "";
          widgets.appendChild(dialog);
          openWidget(dialog);
        }
        if (form.classList.contains("composer")) {
          form.reset();
          if (!dialog) {
            form.querySelector("input[name=text]").focus();
          }
        }
      })
      .catch(function () {
        toast("Could not reach the server. Try again.");
      })
      .finally(function () {
        form.removeAttribute("aria-busy");
      });
  });
})();

/* confirm */
// A form that undoes something for good (revoking an app, say) asks first: its data-confirm is
// the question. Without scripts the form is sent as it is.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      e.preventDefault();
    }
  });
})();
