package org.backchannel.server.web;

import static org.backchannel.server.web.Guard.html;
import static org.backchannel.server.web.Requests.blankToNull;
import static org.backchannel.server.web.Requests.id;
import static org.backchannel.server.web.Requests.optionalLong;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.backchannel.core.Json;
import org.backchannel.core.PageRequest;
import org.backchannel.core.Problem;
import org.backchannel.core.apps.App;
import org.backchannel.core.delivery.DeliveryFilter;
import org.backchannel.core.delivery.DeliveryState;
import org.backchannel.core.delivery.Endpoint;
import org.backchannel.core.oauth.OAuthClient;
import org.backchannel.core.wiring.Backchannel;
import org.backchannel.core.workspace.Directory;

/**
 * The developer dashboard for admins: apps with their registration, secret and installs; sources
 * and their flow tokens; endpoints; and the delivery log with its chart. New secrets and tokens are
 * shown once, on the page the form leads to, through {@link ShownOnce}.
 */
final class DashboardWeb implements WebArea {
  static final int CHART_HOURS = 24;
  private static final List<Duration> GRACES =
      List.of(Duration.ZERO, Duration.ofHours(1), Duration.ofHours(24), Duration.ofDays(7));

  private final Backchannel bc;
  private final InstantSource clock;
  private Guard guard;
  private final ShownOnce shown;

  DashboardWeb(Backchannel bc, InstantSource clock) {
    this.bc = bc;
    this.clock = clock;
    this.shown = new ShownOnce(clock);
  }

  @Override
  public void register(RoutesConfig r, Guard guard) {
    this.guard = guard;
    r.get("/ui/apps", guard.signedIn(this::apps));
    r.post("/ui/apps", guard.signedIn(this::createApp));
    r.get("/ui/apps/{id}", guard.signedIn(this::app));
    r.post("/ui/apps/{id}/registration", guard.signedIn(this::saveRegistration));
    r.post("/ui/apps/{id}/oauth", guard.signedIn(this::saveOAuth));
    r.post("/ui/apps/{id}/secret", guard.signedIn(this::rotateSecret));
    r.post("/ui/apps/{id}/secret/activate", guard.signedIn(this::activateSecret));
    r.post("/ui/apps/{id}/endpoints", guard.signedIn(this::createEndpoint));
    r.get("/ui/sources", guard.signedIn(this::sources));
    r.post("/ui/sources", guard.signedIn(this::createSource));
    r.post("/ui/sources/{id}/revoke", guard.signedIn(this::revokeSource));
    r.get("/ui/endpoints", guard.signedIn(this::endpoints));
    r.post("/ui/endpoints/{id}/enable", guard.signedIn(this::enableEndpoint));
    r.get("/ui/deliveries", guard.signedIn(this::deliveries));
    r.get("/ui/deliveries/{id}", guard.signedIn(this::delivery));
    r.post("/ui/deliveries/{id}/replay", guard.signedIn(this::replay));
    r.post("/ui/deliveries/retention", guard.signedIn(this::setRetention));
  }

  // ---- apps

  private void apps(Context ctx, Session s) {
    List<App> apps = bc.apps().apps(s.user());
    var endpoints = bc.deliveries().endpoints(s.user());
    html(ctx, 200, (out, in) -> JteappsGenerated.render(out, in, s, apps, endpoints));
  }

  private void createApp(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    var created =
        bc.apps()
            .createApp(s.user(), ctx.formParam("name"), blankToNull(ctx.formParam("client_id")));
    String key = shown.keep(s, created.secret());
    ctx.redirect(
        "/ui/apps/" + created.value().id() + "?shown=" + key + "&what=created",
        HttpStatus.SEE_OTHER);
  }

  private void app(Context ctx, Session s) {
    long id = id(ctx, "id");
    App app = bc.apps().app(s.user(), id);
    String secret = shown.take(s, ctx.queryParam("shown")).orElse(null);
    var view =
        new DashboardPages.AppView(
            app,
            bc.platform().registration(s.user(), id),
            bc.authorizations().client(s.user(), id),
            bc.platform().installs(s.user(), id),
            bc.directory().users(s.user()),
            bc.apps().sources(s.user()).stream().filter(x -> x.appId() == id).toList(),
            bc.directory().flows(s.user()),
            bc.deliveries().endpoints(s.user()).stream().filter(e -> e.appId() == id).toList(),
            bc.platform().secretState(s.user(), id),
            secret,
            ctx.queryParam("what"));
    html(ctx, 200, (out, in) -> JteappGenerated.render(out, in, s, view));
  }

  private void saveRegistration(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    Directory.requireAdmin(s.user()); // before reading the form: members get 403, not 400
    long id = id(ctx, "id");
    ObjectNode body = Json.MAPPER.createObjectNode();
    body.put("event_listener_url", blankToNull(ctx.formParam("event_listener_url")));
    ArrayNode patterns = body.putArray("url_patterns");
    String lines = ctx.formParam("url_patterns");
    if (lines != null) {
      Arrays.stream(lines.split("\\R"))
          .map(String::strip)
          .filter(x -> !x.isEmpty())
          .forEach(patterns::add);
    }
    String controls = blankToNull(ctx.formParam("controls"));
    if (controls != null) {
      try {
        body.set("controls", Json.MAPPER.readTree(controls));
      } catch (JsonProcessingException e) {
        throw Problem.Invalid.of("controls", "must be a JSON array of controls");
      }
    }
    bc.platform().register(s.user(), id, body);
    ctx.redirect("/ui/apps/" + id + "?what=saved", HttpStatus.SEE_OTHER);
  }

  /** The app's OAuth client settings: one redirect URI per line, replacing the ones it had. */
  private void saveOAuth(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    Directory.requireAdmin(s.user()); // before reading the form: members get 403, not 400
    long id = id(ctx, "id");
    String lines = ctx.formParam("redirect_uris");
    List<String> uris =
        lines == null
            ? List.of()
            : Arrays.stream(lines.split("\\R"))
                .map(String::strip)
                .filter(x -> !x.isEmpty())
                .toList();
    bc.authorizations()
        .saveClient(
            s.user(),
            new OAuthClient(
                id,
                uris,
                "on".equals(ctx.formParam("public_client")),
                "on".equals(ctx.formParam("approved")),
                blankToNull(ctx.formParam("description")),
                blankToNull(ctx.formParam("install_url"))));
    ctx.redirect("/ui/apps/" + id + "?what=oauth", HttpStatus.SEE_OTHER);
  }

  private void rotateSecret(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    long id = id(ctx, "id");
    var rotated = bc.platform().rotateSecret(s.user(), id);
    String key = shown.keep(s, rotated.secret());
    ctx.redirect("/ui/apps/" + id + "?shown=" + key + "&what=rotated", HttpStatus.SEE_OTHER);
  }

  private void activateSecret(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    Directory.requireAdmin(s.user()); // before reading the form: members get 403, not 400
    long id = id(ctx, "id");
    bc.platform().activateSecret(s.user(), id, grace(ctx.formParam("grace")));
    ctx.redirect("/ui/apps/" + id + "?what=activated", HttpStatus.SEE_OTHER);
  }

  private static Duration grace(String raw) {
    try {
      Duration g = Duration.ofSeconds(Long.parseLong(raw == null ? "" : raw.strip()));
      if (GRACES.contains(g)) {
        return g;
      }
    } catch (NumberFormatException e) {
      // named below
    }
    throw Problem.Invalid.of("grace", "must be one of the offered periods");
  }

  static List<Duration> graces() {
    return GRACES;
  }

  private void createEndpoint(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    Directory.requireAdmin(s.user()); // before reading the form: members get 403, not 400
    long id = id(ctx, "id");
    String types = blankToNull(ctx.formParam("event_types"));
    List<String> eventTypes =
        types == null
            ? List.of()
            : Arrays.stream(types.split("[,\\s]+")).filter(x -> !x.isEmpty()).toList();
    bc.deliveries()
        .createEndpoint(
            s.user(),
            id,
            blankToNull(ctx.formParam("url")),
            "on".equals(ctx.formParam("fifo")),
            null,
            eventTypes);
    ctx.redirect("/ui/apps/" + id + "?what=endpoint", HttpStatus.SEE_OTHER);
  }

  // ---- sources

  private void sources(Context ctx, Session s) {
    String token = shown.take(s, ctx.queryParam("shown")).orElse(null);
    var apps = bc.apps().apps(s.user());
    var flows = bc.directory().flows(s.user());
    var sources = bc.apps().sources(s.user());
    Long source = optionalLong(ctx, "source");
    boolean revoked = "1".equals(ctx.queryParam("revoked"));
    html(
        ctx,
        200,
        (out, in) ->
            JtesourcesGenerated.render(out, in, s, apps, flows, sources, token, source, revoked));
  }

  private void createSource(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    Directory.requireAdmin(s.user());
    long app = Requests.formId(ctx, "app");
    long flow = Requests.formId(ctx, "flow");
    var created = bc.apps().createSource(s.user(), app, flow, blankToNull(ctx.formParam("name")));
    String key = shown.keep(s, created.secret());
    ctx.redirect(
        "/ui/sources?shown=" + key + "&source=" + created.value().id(), HttpStatus.SEE_OTHER);
  }

  private void revokeSource(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    bc.apps().revokeSource(s.user(), id(ctx, "id"));
    ctx.redirect("/ui/sources?revoked=1", HttpStatus.SEE_OTHER);
  }

  // ---- endpoints

  private void endpoints(Context ctx, Session s) {
    List<Endpoint> endpoints = bc.deliveries().endpoints(s.user());
    var apps = bc.apps().apps(s.user());
    Long enabled = optionalLong(ctx, "enabled");
    html(ctx, 200, (out, in) -> JteendpointsGenerated.render(out, in, s, apps, endpoints, enabled));
  }

  private void enableEndpoint(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    Endpoint e = bc.deliveries().enable(s.user(), id(ctx, "id"));
    ctx.redirect("/ui/endpoints?enabled=" + e.id(), HttpStatus.SEE_OTHER);
  }

  // ---- deliveries

  /** What the deliveries page is filtered by, as given (so the form shows it again). */
  record Filters(String state, Long app, Long endpoint, String event, String since, String until) {
    String query() {
      StringBuilder q = new StringBuilder();
      add(q, "state", state);
      add(q, "app", app == null ? null : app.toString());
      add(q, "endpoint", endpoint == null ? null : endpoint.toString());
      add(q, "event", event);
      add(q, "since", since);
      add(q, "until", until);
      return q.toString();
    }

    private static void add(StringBuilder q, String name, String value) {
      if (value != null) {
        q.append(name)
            .append('=')
            .append(java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8))
            .append('&');
      }
    }
  }

  private void deliveries(Context ctx, Session s) {
    Directory.requireAdmin(s.user());
    String stateParam = blankToNull(ctx.queryParam("state"));
    DeliveryState state = null;
    if (stateParam != null) {
      try {
        state = DeliveryState.valueOf(stateParam.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw Problem.Invalid.of("state", "must be one of pending, sending, succeeded, failed");
      }
    }
    String event = blankToNull(ctx.queryParam("event"));
    if (event != null && event.length() > 100) {
      throw Problem.Invalid.of("event", "must be at most 100 characters");
    }
    Filters filters =
        new Filters(
            stateParam,
            optionalLong(ctx, "app"),
            optionalLong(ctx, "endpoint"),
            event == null ? null : event.strip(),
            blankToNull(ctx.queryParam("since")),
            blankToNull(ctx.queryParam("until")));
    Instant since = time("since", filters.since());
    Instant until = time("until", filters.until());
    if (since != null && until != null && !since.isBefore(until)) {
      throw Problem.Invalid.of("until", "must be after since");
    }
    var filter =
        new DeliveryFilter(
            s.user().workspaceId(),
            filters.app(),
            filters.endpoint(),
            state,
            since,
            until,
            filters.event());
    var page =
        bc.deliveries()
            .list(s.user(), filter, new PageRequest(optionalLong(ctx, "before"), null, 50));
    Instant end = clock.instant().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
    var counts =
        bc.deliveries()
            .counts(
                s.user(),
                end.minus(Duration.ofHours(CHART_HOURS)),
                Duration.ofHours(1),
                CHART_HOURS);
    var apps = bc.apps().apps(s.user());
    var endpoints = bc.deliveries().endpoints(s.user());
    var retention = bc.retention().view(s.user());
    boolean saved = "saved".equals(ctx.queryParam("retention"));
    html(
        ctx,
        200,
        (out, in) ->
            JtedeliveriesGenerated.render(
                out, in, s, apps, endpoints, filters, page, counts, retention, saved));
  }

  private void setRetention(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    Directory.requireAdmin(s.user()); // before reading the form: members get 403, not 400
    bc.retention().set(s.user(), ctx.formParam("retention"));
    ctx.redirect("/ui/deliveries?retention=saved", HttpStatus.SEE_OTHER);
  }

  /** A time from a {@code datetime-local} field, read as UTC like every time the UI shows. */
  private static Instant time(String field, String raw) {
    if (raw == null) {
      return null;
    }
    try {
      return LocalDateTime.parse(raw.strip()).toInstant(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw Problem.Invalid.of(field, "must be a date and time like 2026-11-23T10:00 (UTC)");
    }
  }

  private void delivery(Context ctx, Session s) {
    Directory.requireAdmin(s.user());
    var detail = bc.deliveries().get(s.user(), id(ctx, "id"));
    String notice = "1".equals(ctx.queryParam("replayed")) ? "Queued to be sent again." : null;
    var apps = bc.apps().apps(s.user());
    html(ctx, 200, (out, in) -> JtedeliveryGenerated.render(out, in, s, apps, detail, notice));
  }

  private void replay(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    long id = id(ctx, "id");
    bc.deliveries().replay(s.user(), id);
    ctx.redirect("/ui/deliveries/" + id + "?replayed=1", HttpStatus.SEE_OTHER);
  }

  // ---- plumbing

  static String json(JsonNode node) {
    try {
      return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
