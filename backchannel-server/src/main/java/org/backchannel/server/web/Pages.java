package org.backchannel.server.web;

import static org.backchannel.server.web.Html.esc;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.backchannel.core.apps.App;
import org.backchannel.core.delivery.Attempt;
import org.backchannel.core.delivery.Deliveries;
import org.backchannel.core.delivery.Delivery;
import org.backchannel.core.delivery.DeliveryState;
import org.backchannel.core.delivery.Outcome;
import org.backchannel.core.threads.Action;
import org.backchannel.core.threads.ActionResult;
import org.backchannel.core.threads.Field;
import org.backchannel.core.threads.FlowThread;
import org.backchannel.core.threads.Message;
import org.backchannel.core.threads.Status;
import org.backchannel.core.workspace.Flow;
import org.backchannel.core.workspace.User;

/** The HTML of every page. Every value from a person or an app is escaped or sanitised here. */
final class Pages {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT)
          .withZone(ZoneOffset.UTC);

  private Pages() {}

  /** What pressing an action gave, shown above the threads. */
  record Result(String threadTitle, String actionName, ActionResult result) {}

  static String document(String title, String body) {
    return """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>%s · Backchannel</title>
        <link rel="stylesheet" href="/ui/assets/app.css">
        <script src="/ui/assets/app.js" defer></script>
        </head>
        <body>
        <a class="skip" href="#main">Skip to content</a>
        %s
        </body>
        </html>
        """
        .formatted(esc(title), body);
  }

  static String layout(Web.Session s, String title, String main) {
    User u = s.user();
    String admin =
        u.isAdmin()
            ? "<li><a href=\"/ui/apps\">Apps</a></li><li><a href=\"/ui/sources\">Sources</a></li>"
                + "<li><a href=\"/ui/endpoints\">Endpoints</a></li>"
                + "<li><a href=\"/ui/deliveries\">Deliveries</a></li>"
                + "<li><a href=\"/ui/people\">People</a></li>"
            : "";
    return document(
        title,
        """
        <header class="top">
          <a class="brand" href="/ui">Backchannel</a>
          <nav aria-label="Main"><ul><li><a href="/ui">Workspace</a></li><li><a href="/ui/chat">Chat</a></li><li><a href="/ui/workflows">Workflows</a></li>%s</ul></nav>
          <form class="signout" method="post" action="/logout">
            <input type="hidden" name="csrf" value="%s">
            <span class="who">%s</span> <button type="submit">Sign out</button>
          </form>
        </header>
        <main id="main">%s%s</main>
        """
            .formatted(admin, esc(s.csrf()), esc(u.name()), alert(s.notice()), main));
  }

  static String signIn(String formToken, String error, String email) {
    return document(
        "Sign in",
        """
        <main id="main" class="narrow">
          <h1>Sign in to Backchannel</h1>
          %s
          <form method="post" action="/login" class="stack">
            <input type="hidden" name="csrf" value="%s">
            <label>Email <input type="email" name="email" autocomplete="username" required value="%s"></label>
            <label>Password <input type="password" name="password" autocomplete="current-password" required></label>
            <button type="submit">Sign in</button>
          </form>
        </main>
        """
            .formatted(alert(error), esc(formToken), esc(email)));
  }

  static String setup(String formToken, User user, String error) {
    return document(
        "Choose a password",
        """
        <main id="main" class="narrow">
          <h1>Choose a password</h1>
          <p>For %s (%s). This link works once.</p>
          %s
          <form method="post" class="stack">
            <input type="hidden" name="csrf" value="%s">
            <label>Password (at least 10 characters) <input type="password" name="password" autocomplete="new-password" minlength="10" required></label>
            <label>Repeat it <input type="password" name="repeat" autocomplete="new-password" required></label>
            <button type="submit">Set password and sign in</button>
          </form>
        </main>
        """
            .formatted(esc(user.name()), esc(user.email()), alert(error), esc(formToken)));
  }

  static String message(String title, String text) {
    return document(
        title,
        """
        <main id="main" class="narrow">
          <h1>%s</h1>
          <p>%s</p>
          <p><a href="/ui">Back to the workspace</a></p>
        </main>
        """
            .formatted(esc(title), esc(text)));
  }

  private static String alert(String error) {
    return error == null ? "" : "<p class=\"alert\" role=\"alert\">" + esc(error) + "</p>";
  }

  // ---- workspace

  static String noFlows() {
    return "<h1>Workspace</h1><p>You are not in any flow yet. An admin can add you to one.</p>";
  }

  static String noThreads() {
    return "<p class=\"empty\">No threads yet. They appear here as apps post them.</p>";
  }

  static String workspace(
      List<Flow> flows, Flow current, long version, String threads, Result result) {
    StringBuilder nav = new StringBuilder();
    for (Flow f : flows) {
      nav.append("<li><a href=\"/ui/flows/")
          .append(f.id())
          .append('"')
          .append(f.id() == current.id() ? " aria-current=\"page\"" : "")
          .append('>')
          .append(esc(f.name()))
          .append("</a></li>");
    }
    return """
        <div class="workspace">
          <nav class="flows" aria-label="Flows"><h2>Flows</h2><ul>%s</ul></nav>
          <section class="flow" aria-labelledby="flow-title">
            <h1 id="flow-title">%s</h1>
            %s
            <div id="threads" aria-live="polite" data-src="/ui/flows/%d/threads" data-events="/ui/flows/%d/events" data-version="%d">%s</div>
          </section>
        </div>
        """
        .formatted(
            nav, esc(current.name()), result(result), current.id(), current.id(), version, threads);
  }

  private static String result(Result r) {
    if (r == null) {
      return "";
    }
    String what =
        "“"
            + esc(r.actionName())
            + "” on “"
            + esc(r.threadTitle() == null ? "a thread" : r.threadTitle())
            + "”";
    return switch (r.result()) {
      case ActionResult.Link link ->
          "<p class=\"outcome\" role=\"status\">%s is a link: <a href=\"%s\" rel=\"noopener noreferrer\" target=\"_blank\">open it</a></p>"
              .formatted(what, Html.url(link.url()));
      case ActionResult.Called called ->
          switch (called.outcome()) {
            case Outcome.Succeeded s ->
                "<p class=\"outcome done\" role=\"status\" data-outcome=\"done\">%s: done.</p>"
                    .formatted(what);
            case Outcome.Failed f ->
                "<p class=\"outcome failed\" role=\"alert\" data-outcome=\"failed\">%s: failed (%s).</p>"
                    .formatted(what, esc(f.reason()));
            case Outcome.AuthenticationRequired a ->
                ("<p class=\"outcome authenticate\" role=\"alert\" data-outcome=\"authenticate\">%s:"
                        + " the app needs you to sign in first. <a href=\"%s\""
                        + " rel=\"noopener noreferrer\" target=\"_blank\">Authenticate</a>, then"
                        + " press it again.</p>")
                    .formatted(what, Html.url(a.url()));
          };
    };
  }

  static String thread(Web.Session s, FlowThread t, List<Message> messages) {
    var d = t.data();
    StringBuilder out = new StringBuilder();
    out.append("<article class=\"thread\" id=\"thread-")
        .append(t.id())
        .append("\" aria-labelledby=\"thread-title-")
        .append(t.id())
        .append("\"><header><h2 id=\"thread-title-")
        .append(t.id())
        .append("\">")
        .append(esc(d.title() == null ? "Untitled thread" : d.title()))
        .append("</h2>");
    if (d.status() != null) {
      String color = Status.COLORS.contains(d.status().color()) ? d.status().color() : "grey";
      out.append("<span class=\"status status-")
          .append(color)
          .append("\">")
          .append(esc(d.status().value()))
          .append("</span>");
    }
    String external = Html.url(d.externalUrl());
    if (!external.isEmpty()) {
      out.append("<a class=\"external\" href=\"")
          .append(external)
          .append("\" rel=\"noopener noreferrer\" target=\"_blank\">Open in app</a>");
    }
    out.append("</header>");
    if (d.body() != null) {
      out.append("<div class=\"body\">").append(Html.appHtml(d.body())).append("</div>");
    }
    if (!d.fields().isEmpty()) {
      out.append("<dl class=\"fields\">");
      for (Field f : d.fields()) {
        out.append("<div><dt>")
            .append(esc(f.label()))
            .append("</dt><dd>")
            .append(Html.appHtml(f.value()))
            .append("</dd></div>");
      }
      out.append("</dl>");
    }
    if (!d.actions().isEmpty()) {
      out.append("<div class=\"actions\">");
      for (int i = 0; i < d.actions().size(); i++) {
        switch (d.actions().get(i)) {
          case Action.Update u ->
              out.append("<form method=\"post\" action=\"/ui/threads/")
                  .append(t.id())
                  .append("/actions/")
                  .append(i)
                  .append("\"><input type=\"hidden\" name=\"csrf\" value=\"")
                  .append(esc(s.csrf()))
                  .append("\"><button type=\"submit\">")
                  .append(esc(u.name()))
                  .append("</button></form>");
          case Action.View v ->
              out.append("<a class=\"button secondary\" href=\"")
                  .append(Html.url(v.url()))
                  .append("\" rel=\"noopener noreferrer\" target=\"_blank\">")
                  .append(esc(v.name()))
                  .append("</a>");
        }
      }
      out.append("</div>");
    }
    if (!messages.isEmpty()) {
      out.append("<ol class=\"messages\" reversed>");
      for (Message m : messages) {
        out.append("<li class=\"message\"><div class=\"meta\"><span class=\"author\">")
            .append(esc(m.author() != null ? m.author().name() : "a person"))
            .append("</span> <time datetime=\"")
            .append(m.createdAt())
            .append("\">")
            .append(TIME.format(m.createdAt()))
            .append("</time></div>");
        if (m.title() != null) {
          out.append("<div class=\"title\">").append(esc(m.title())).append("</div>");
        }
        if (m.body() != null && !m.body().isEmpty()) {
          String body = "message".equals(m.event()) ? esc(m.body()) : Html.appHtml(m.body());
          out.append("<div class=\"body\">").append(body).append("</div>");
        }
        out.append("</li>");
      }
      out.append("</ol>");
    }
    return out.append("</article>").toString();
  }

  // ---- deliveries

  static String delivery(Web.Session s, List<App> apps, Deliveries.Detail detail, String notice) {
    Delivery d = detail.delivery();
    String replay =
        !d.interactive()
                && (d.state() == DeliveryState.FAILED || d.state() == DeliveryState.SUCCEEDED)
            ? """
              <form class="replay" method="post" action="/ui/deliveries/%d/replay">
                <input type="hidden" name="csrf" value="%s">
                <button type="submit">Replay</button>
              </form>
              """
                .formatted(d.id(), esc(s.csrf()))
            : "";
    StringBuilder attempts = new StringBuilder();
    for (Attempt a : detail.attempts()) {
      attempts.append(
          """
          <details class="attempt" %s>
            <summary>Attempt %d · %s · %d ms · %s</summary>
            <h3>Request</h3>
            <pre>%s %s</pre>
            %s
            %s
            <h3>Answer</h3>
            <pre>%s</pre>
            %s
            %s
            %s
          </details>
          """
              .formatted(
                  a.number() == detail.attempts().size() ? "open" : "",
                  a.number(),
                  TIME.format(a.startedAt()),
                  a.duration().toMillis(),
                  esc(a.responseStatus() == null ? "no answer" : "HTTP " + a.responseStatus()),
                  esc(a.requestMethod()),
                  esc(a.requestUrl()),
                  headers(a.requestHeaders()),
                  body(a.requestBody()),
                  esc(a.responseStatus() == null ? "no answer" : "HTTP " + a.responseStatus()),
                  a.error() == null ? "" : "<p class=\"alert\">" + esc(a.error()) + "</p>",
                  headers(a.responseHeaders()),
                  body(a.responseBody())));
    }
    return """
        <p><a href="/ui/deliveries">All deliveries</a></p>
        <h1>Delivery #%d</h1>
        %s
        <dl class="fields">
          <div><dt>State</dt><dd>%s</dd></div>
          <div><dt>App</dt><dd>%s</dd></div>
          <div><dt>Event</dt><dd>%s</dd></div>
          <div><dt>Request</dt><dd class="url">%s %s</dd></div>
          <div><dt>Attempts</dt><dd>%d</dd></div>
          <div><dt>Summary</dt><dd>%s</dd></div>
          <div><dt>Created</dt><dd>%s</dd></div>
        </dl>
        %s
        <h2>Attempts</h2>
        %s
        """
        .formatted(
            d.id(),
            notice == null
                ? ""
                : "<p class=\"outcome done\" role=\"status\">" + esc(notice) + "</p>",
            state(d.state()),
            esc(appName(apps, d.appId())),
            esc(d.event()),
            esc(d.method()),
            esc(d.url()),
            d.attemptCount(),
            esc(d.summary()),
            TIME.format(d.createdAt()),
            replay,
            attempts.isEmpty() ? "<p class=\"empty\">No attempts yet.</p>" : attempts);
  }

  private static String body(String body) {
    return body == null || body.isEmpty() ? "" : "<pre class=\"body\">" + esc(body) + "</pre>";
  }

  private static String state(DeliveryState state) {
    String v = state.name().toLowerCase(Locale.ROOT);
    return "<span class=\"state state-" + v + "\">" + v + "</span>";
  }

  private static String headers(Map<String, String> headers) {
    if (headers.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder("<table class=\"headers\"><tbody>");
    headers.forEach(
        (k, v) ->
            out.append("<tr><th scope=\"row\">")
                .append(esc(k))
                .append("</th><td>")
                .append(esc(v))
                .append("</td></tr>"));
    return out.append("</tbody></table>").toString();
  }

  static String option(String value, String label, boolean selected) {
    return "<option value=\"%s\"%s>%s</option>"
        .formatted(esc(value), selected ? " selected" : "", esc(label));
  }

  static String appName(List<App> apps, long id) {
    return apps.stream().filter(a -> a.id() == id).map(App::name).findFirst().orElse("app " + id);
  }

  static String time(Instant instant) {
    return instant == null ? "" : TIME.format(instant);
  }
}
