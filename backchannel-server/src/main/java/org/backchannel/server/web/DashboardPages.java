package org.backchannel.server.web;

import static org.backchannel.server.web.Html.esc;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.backchannel.core.Page;
import org.backchannel.core.apps.App;
import org.backchannel.core.apps.Source;
import org.backchannel.core.delivery.Delivery;
import org.backchannel.core.delivery.DeliveryState;
import org.backchannel.core.delivery.Endpoint;
import org.backchannel.core.platform.Control;
import org.backchannel.core.platform.Install;
import org.backchannel.core.platform.PlatformJson;
import org.backchannel.core.platform.Registration;
import org.backchannel.core.workspace.Flow;
import org.backchannel.core.workspace.User;

/** The HTML of the developer dashboard. Every value from a person or an app is escaped here. */
final class DashboardPages {
  private DashboardPages() {}

  /** Everything the page of one app shows. */
  record AppView(
      App app,
      Registration registration,
      List<Install> installs,
      List<User> people,
      List<Source> sources,
      List<Flow> flows,
      List<Endpoint> endpoints,
      String secret,
      String what,
      String previousUntil) {}

  static String csrf(Web.Session s) {
    return "<input type=\"hidden\" name=\"csrf\" value=\"" + esc(s.csrf()) + "\">";
  }

  /** A secret on the one page that shows it, with how to keep it. */
  static String shownOnce(String label, String secret, String note) {
    return """
        <section class="once" role="status" aria-labelledby="once-title">
          <h2 id="once-title">%s</h2>
          <p>Copy it now: it is shown only this once and cannot be shown again.%s</p>
          <label>%s <input class="secret" id="once-value" readonly value="%s"></label>
        </section>
        """
        .formatted(esc(label), note == null ? "" : " " + esc(note), esc(label), esc(secret));
  }

  static String notice(String text) {
    return "<p class=\"outcome done\" role=\"status\">" + esc(text) + "</p>";
  }

  // ---- apps

  static String apps(Web.Session s, List<App> apps, List<Endpoint> endpoints) {
    StringBuilder rows = new StringBuilder();
    for (App a : apps) {
      long disabled = endpoints.stream().filter(e -> e.appId() == a.id() && e.disabled()).count();
      rows.append(
          """
          <tr><td><a href="/ui/apps/%d">%s</a></td><td><code>%s</code></td><td>%s</td><td>%s</td></tr>
          """
              .formatted(
                  a.id(),
                  esc(a.name()),
                  esc(a.clientId()),
                  disabled == 0
                      ? "ok"
                      : "<a class=\"state state-failed\" href=\"/ui/endpoints\">"
                          + disabled
                          + " disabled</a>",
                  Pages.time(a.createdAt())));
    }
    String table =
        apps.isEmpty()
            ? "<p class=\"empty\">No apps yet. Register the first one below.</p>"
            : """
              <div class="scroll"><table>
                <thead><tr><th scope="col">App</th><th scope="col">Client id</th><th scope="col">Endpoints</th><th scope="col">Registered</th></tr></thead>
                <tbody>%s</tbody>
              </table></div>
              """
                .formatted(rows);
    return """
        <h1>Apps</h1>
        %s
        <section class="panel" aria-labelledby="new-app">
          <h2 id="new-app">Register an app</h2>
          <form method="post" action="/ui/apps" class="stack">
            %s
            <label>Name <input name="name" required maxlength="100"></label>
            <label>Client id (optional) <input name="client_id" maxlength="64" pattern="[A-Za-z0-9._\\-]{1,64}" aria-describedby="client-id-help"></label>
            <p class="help" id="client-id-help">Letters, digits, '.', '_' or '-'. Left empty, one is made up.</p>
            <button type="submit">Register app</button>
          </form>
        </section>
        """
        .formatted(table, csrf(s));
  }

  static String app(Web.Session s, AppView v) {
    App a = v.app();
    String once = "";
    if (v.secret() != null) {
      once =
          "rotated".equals(v.what())
              ? shownOnce(
                  "New signing secret",
                  v.secret(),
                  v.previousUntil() == null
                      ? null
                      : "The previous secret stays valid until " + v.previousUntil() + ".")
              : shownOnce("Signing secret", v.secret(), null);
    } else if ("created".equals(v.what()) || "rotated".equals(v.what())) {
      once =
          "<p class=\"alert\">The secret was shown once and is not shown again. Rotate it for a"
              + " new one.</p>";
    } else if ("saved".equals(v.what())) {
      once = notice("Registration saved.");
    } else if ("endpoint".equals(v.what())) {
      once = notice("Endpoint saved.");
    }
    StringBuilder graces = new StringBuilder();
    for (Duration g : DashboardWeb.graces()) {
      graces.append(
          "<option value=\"%d\"%s>%s</option>"
              .formatted(
                  g.toSeconds(),
                  g.equals(Duration.ofHours(24)) ? " selected" : "",
                  g.isZero() ? "none: the old one stops now" : duration(g)));
    }
    Registration r = v.registration();
    String controlsJson =
        r.controls().isEmpty() ? "" : DashboardWeb.json(PlatformJson.writeControls(r.controls()));
    return """
        <p><a href="/ui/apps">All apps</a></p>
        <h1>%s</h1>
        %s
        <dl class="fields">
          <div><dt>Client id</dt><dd><code>%s</code></dd></div>
          <div><dt>App id</dt><dd>%d</dd></div>
          <div><dt>Registered</dt><dd>%s</dd></div>
          <div><dt>Signing secret</dt><dd id="secret-state">set · shown only when made</dd></div>
        </dl>
        <section class="panel" aria-labelledby="rotate-title">
          <h2 id="rotate-title">Rotate the signing secret</h2>
          <form method="post" action="/ui/apps/%d/secret" class="filters">
            %s
            <label>Old secret stays valid for <select name="grace">%s</select></label>
            <button type="submit">Rotate secret</button>
          </form>
        </section>
        <section class="panel" aria-labelledby="registration-title">
          <h2 id="registration-title">Events, URL previews and controls</h2>
          %s
          <form method="post" action="/ui/apps/%d/registration" class="stack">
            %s
            <label>Event listener URL <input type="url" name="event_listener_url" value="%s" maxlength="2000"></label>
            <label>URL patterns to preview, one per line (* matches anything) <textarea name="url_patterns" rows="3">%s</textarea></label>
            <label>Controls (JSON array) <textarea name="controls" rows="6" class="code">%s</textarea></label>
            <button type="submit">Save registration</button>
          </form>
        </section>
        <section class="panel" aria-labelledby="installs-title">
          <h2 id="installs-title">Installs</h2>
          %s
        </section>
        <section class="panel" aria-labelledby="sources-title">
          <h2 id="sources-title">Sources</h2>
          %s
          <p><a href="/ui/sources">Add or revoke sources</a></p>
        </section>
        <section class="panel" aria-labelledby="endpoints-title">
          <h2 id="endpoints-title">Endpoints</h2>
          %s
          <form method="post" action="/ui/apps/%d/endpoints" class="stack">
            %s
            <label>Endpoint URL <input type="url" name="url" required maxlength="2048"></label>
            <label>Event types (comma-separated; empty: all) <input name="event_types"></label>
            <label class="check"><input type="checkbox" name="fifo"> One at a time, in order (FIFO)</label>
            <button type="submit">Add endpoint</button>
          </form>
        </section>
        """
        .formatted(
            esc(a.name()),
            once,
            esc(a.clientId()),
            a.id(),
            Pages.time(a.createdAt()),
            a.id(),
            csrf(s),
            graces,
            controls(r.controls()),
            a.id(),
            csrf(s),
            esc(r.eventListenerUrl()),
            esc(String.join("\n", r.urlPatterns())),
            esc(controlsJson),
            installs(v),
            appSources(v),
            endpointTable(s, List.of(v.app()), v.endpoints(), false),
            a.id(),
            csrf(s));
  }

  private static String controls(List<Control> controls) {
    if (controls.isEmpty()) {
      return "<p class=\"empty\">No controls.</p>";
    }
    StringBuilder rows = new StringBuilder();
    for (Control c : controls) {
      rows.append(
          "<tr><td>%s</td><td>%s</td><td>%s</td></tr>"
              .formatted(
                  esc(c.kind().wire()),
                  esc(c.name()),
                  esc(c.action().type().name().toLowerCase(Locale.ROOT))));
    }
    return """
        <div class="scroll"><table>
          <thead><tr><th scope="col">Kind</th><th scope="col">Name</th><th scope="col">Action</th></tr></thead>
          <tbody>%s</tbody>
        </table></div>
        """
        .formatted(rows);
  }

  private static String installs(AppView v) {
    if (v.installs().isEmpty()) {
      return "<p class=\"empty\">Nobody has installed this app.</p>";
    }
    StringBuilder rows = new StringBuilder();
    for (Install i : v.installs()) {
      String who =
          v.people().stream()
              .filter(u -> u.id() == i.userId())
              .map(u -> u.name() + " (" + u.email() + ")")
              .findFirst()
              .orElse("user " + i.userId());
      rows.append("<tr><td>%s</td><td>%s</td></tr>".formatted(esc(who), Pages.time(i.createdAt())));
    }
    return """
        <div class="scroll"><table>
          <thead><tr><th scope="col">Person</th><th scope="col">Installed</th></tr></thead>
          <tbody>%s</tbody>
        </table></div>
        """
        .formatted(rows);
  }

  private static String appSources(AppView v) {
    if (v.sources().isEmpty()) {
      return "<p class=\"empty\">Not installed in any flow.</p>";
    }
    StringBuilder items = new StringBuilder("<ul>");
    for (Source src : v.sources()) {
      items
          .append("<li>")
          .append(esc(src.name()))
          .append(" → ")
          .append(esc(flowName(v.flows(), src.flowId())))
          .append(src.revoked() ? " <span class=\"state state-failed\">revoked</span>" : "")
          .append("</li>");
    }
    return items.append("</ul>").toString();
  }

  // ---- sources

  static String sources(
      Web.Session s,
      List<App> apps,
      List<Flow> flows,
      List<Source> sources,
      String token,
      Long sourceId,
      boolean revoked) {
    StringBuilder rows = new StringBuilder();
    for (Source src : sources) {
      String action =
          src.revoked()
              ? "<span class=\"state state-failed\">revoked "
                  + Pages.time(src.revokedAt())
                  + "</span>"
              : """
                <form method="post" action="/ui/sources/%d/revoke" class="inline"><span class="state state-succeeded">live</span>%s<button type="submit" class="danger" aria-label="Revoke %s">Revoke</button></form>
                """
                  .formatted(
                      src.id(), csrf(s), esc(src.name() + " in " + flowName(flows, src.flowId())));
      rows.append(
          "<tr><td>%s</td><td><a href=\"/ui/apps/%d\">%s</a></td><td>%s</td><td>%s</td><td>%s</td></tr>"
              .formatted(
                  esc(src.name()),
                  src.appId(),
                  esc(Pages.appName(apps, src.appId())),
                  esc(flowName(flows, src.flowId())),
                  Pages.time(src.createdAt()),
                  action));
    }
    StringBuilder appOptions = new StringBuilder();
    for (App a : apps) {
      appOptions.append(Pages.option(Long.toString(a.id()), a.name(), false));
    }
    StringBuilder flowOptions = new StringBuilder();
    for (Flow f : flows) {
      flowOptions.append(Pages.option(Long.toString(f.id()), f.name(), false));
    }
    String once =
        token == null
            ? ""
            : shownOnce(
                "Flow token",
                token,
                "The app posts into the flow with it"
                    + (sourceId == null ? "." : " (source " + sourceId + ")."));
    String table =
        sources.isEmpty()
            ? "<p class=\"empty\">No sources yet.</p>"
            : """
              <div class="scroll"><table>
                <thead><tr><th scope="col">Source</th><th scope="col">App</th><th scope="col">Flow</th><th scope="col">Created</th><th scope="col">State</th></tr></thead>
                <tbody>%s</tbody>
              </table></div>
              """
                .formatted(rows);
    String form =
        apps.isEmpty() || flows.isEmpty()
            ? "<p class=\"empty\">A source needs an app and a flow.</p>"
            : """
              <form method="post" action="/ui/sources" class="filters">
                %s
                <label>App <select name="app" required>%s</select></label>
                <label>Flow <select name="flow" required>%s</select></label>
                <label>Name (optional) <input name="name" maxlength="100"></label>
                <button type="submit">Add source</button>
              </form>
              """
                .formatted(csrf(s), appOptions, flowOptions);
    return """
        <h1>Sources</h1>
        <p class="help">A source is an app installed into a flow; its flow token lets the app post there.</p>
        %s%s
        %s
        <section class="panel" aria-labelledby="new-source">
          <h2 id="new-source">Add a source</h2>
          %s
        </section>
        """
        .formatted(
            once,
            revoked ? notice("Source revoked: its flow token no longer works.") : "",
            table,
            form);
  }

  // ---- endpoints

  static String endpoints(Web.Session s, List<App> apps, List<Endpoint> endpoints, Long enabled) {
    return """
        <h1>Endpoints</h1>
        <p class="help">Where apps' background deliveries go. An endpoint that keeps failing is disabled; its deliveries wait until it is enabled again.</p>
        %s
        %s
        """
        .formatted(
            enabled == null
                ? ""
                : notice("Endpoint " + enabled + " enabled: its waiting deliveries resume."),
            endpointTable(s, apps, endpoints, true));
  }

  static String endpointTable(
      Web.Session s, List<App> apps, List<Endpoint> endpoints, boolean showApp) {
    if (endpoints.isEmpty()) {
      return "<p class=\"empty\">No endpoints.</p>";
    }
    StringBuilder rows = new StringBuilder();
    for (Endpoint e : endpoints) {
      String state;
      if (e.disabled()) {
        state =
            """
            <span class="state state-failed">disabled</span> since %s
            <p class="reason">%s</p>
            <form method="post" action="/ui/endpoints/%d/enable">%s<button type="submit" aria-label="Enable endpoint %d again">Enable again</button></form>
            """
                .formatted(
                    Pages.time(e.disabledAt()),
                    esc(e.disabledReason() == null ? "no reason recorded" : e.disabledReason()),
                    e.id(),
                    csrf(s),
                    e.id());
      } else if (e.failingSince() != null) {
        state =
            "<span class=\"state state-pending\">failing</span> since "
                + Pages.time(e.failingSince());
      } else {
        state = "<span class=\"state state-succeeded\">enabled</span>";
      }
      rows.append(
          """
          <tr id="endpoint-%d"><td>%d</td>%s<td class="url">%s</td><td>%s</td><td>%s</td><td><a href="/ui/deliveries?endpoint=%d">Deliveries</a></td></tr>
          """
              .formatted(
                  e.id(),
                  e.id(),
                  showApp
                      ? "<td><a href=\"/ui/apps/%d\">%s</a></td>"
                          .formatted(e.appId(), esc(Pages.appName(apps, e.appId())))
                      : "",
                  esc(e.url()),
                  esc(
                      (e.fifo() ? "FIFO, " : "")
                          + "up to "
                          + e.maxInFlight()
                          + " at once; "
                          + (e.eventTypes().isEmpty()
                              ? "all events"
                              : String.join(", ", e.eventTypes()))),
                  state,
                  e.id()));
    }
    return """
        <div class="scroll"><table class="endpoints">
          <thead><tr><th scope="col">Id</th>%s<th scope="col">URL</th><th scope="col">Settings</th><th scope="col">State</th><th scope="col"><span class="sr-only">Log</span></th></tr></thead>
          <tbody>%s</tbody>
        </table></div>
        """
        .formatted(showApp ? "<th scope=\"col\">App</th>" : "", rows);
  }

  // ---- deliveries

  static String deliveries(
      List<App> apps,
      List<Endpoint> endpoints,
      DashboardWeb.Filters f,
      Page<Delivery> page,
      String chart) {
    StringBuilder states = new StringBuilder("<option value=\"\">any</option>");
    for (DeliveryState st : DeliveryState.values()) {
      String v = st.name().toLowerCase(Locale.ROOT);
      states.append(Pages.option(v, v, v.equalsIgnoreCase(f.state())));
    }
    StringBuilder appOptions = new StringBuilder("<option value=\"\">any</option>");
    for (App a : apps) {
      appOptions.append(
          Pages.option(Long.toString(a.id()), a.name(), f.app() != null && f.app() == a.id()));
    }
    StringBuilder endpointOptions = new StringBuilder("<option value=\"\">any</option>");
    for (Endpoint e : endpoints) {
      endpointOptions.append(
          Pages.option(
              Long.toString(e.id()),
              "#" + e.id() + " " + e.url(),
              f.endpoint() != null && f.endpoint() == e.id()));
    }
    StringBuilder rows = new StringBuilder();
    for (Delivery d : page.items()) {
      String v = d.state().name().toLowerCase(Locale.ROOT);
      rows.append(
          """
          <tr><td><a href="/ui/deliveries/%d">#%d</a></td><td>%s</td><td>%s</td><td class="url">%s %s</td><td><span class="state state-%s">%s</span></td><td>%d</td><td>%s</td></tr>
          """
              .formatted(
                  d.id(),
                  d.id(),
                  esc(Pages.appName(apps, d.appId())),
                  esc(d.event()),
                  esc(d.method()),
                  esc(d.url()),
                  v,
                  v,
                  d.attemptCount(),
                  Pages.time(d.createdAt())));
    }
    String more =
        page.next() == null
            ? ""
            : "<p><a href=\"/ui/deliveries?%sbefore=%d\">Older deliveries</a></p>"
                .formatted(esc(f.query()), page.next());
    String table =
        page.items().isEmpty()
            ? "<p class=\"empty\">No deliveries match.</p>"
            : """
              <div class="scroll"><table id="deliveries">
                <thead><tr><th scope="col">Delivery</th><th scope="col">App</th><th scope="col">Event</th><th scope="col">Request</th><th scope="col">State</th><th scope="col">Attempts</th><th scope="col">Created</th></tr></thead>
                <tbody>%s</tbody>
              </table></div>
              """
                .formatted(rows);
    return """
        <h1>Deliveries</h1>
        %s
        <form method="get" action="/ui/deliveries" class="filters" aria-label="Filter deliveries">
          <label>State <select name="state">%s</select></label>
          <label>App <select name="app">%s</select></label>
          <label>Endpoint <select name="endpoint">%s</select></label>
          <label>Event type <input name="event" value="%s" maxlength="100"></label>
          <label>Created from (UTC) <input type="datetime-local" name="since" value="%s"></label>
          <label>Created before (UTC) <input type="datetime-local" name="until" value="%s"></label>
          <button type="submit">Filter</button>
          <a href="/ui/deliveries">Clear</a>
        </form>
        %s
        %s
        """
        .formatted(
            chart,
            states,
            appOptions,
            endpointOptions,
            esc(f.event()),
            esc(f.since()),
            esc(f.until()),
            table,
            more);
  }

  // ---- helpers

  static String flowName(List<Flow> flows, long id) {
    return flows.stream()
        .filter(f -> f.id() == id)
        .map(Flow::name)
        .findFirst()
        .orElse("flow " + id);
  }

  static String duration(Duration d) {
    if (d.toDays() > 0 && d.toHours() % 24 == 0) {
      return d.toDays() == 1 ? "1 day" : d.toDays() + " days";
    }
    return d.toHours() == 1 ? "1 hour" : d.toHours() + " hours";
  }
}
