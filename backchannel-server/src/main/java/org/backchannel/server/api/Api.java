package org.backchannel.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.ContentTooLargeResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.MethodNotAllowedResponse;
import io.javalin.router.Endpoint;
import io.javalin.router.EndpointNotFound;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.backchannel.core.Json;
import org.backchannel.core.PageRequest;
import org.backchannel.core.Problem;
import org.backchannel.core.Validation;
import org.backchannel.core.deliveries.Deliveries;
import org.backchannel.core.delivery.DeliveryFilter;
import org.backchannel.core.delivery.DeliveryState;
import org.backchannel.core.oauth.Grants;
import org.backchannel.core.oauth.InstallPolicy;
import org.backchannel.core.security.Tokens;
import org.backchannel.core.threads.Posted;
import org.backchannel.core.wiring.Backchannel;
import org.backchannel.core.workspace.Directory;
import org.backchannel.core.workspace.User;
import org.backchannel.server.http.HttpProblem;
import org.backchannel.server.version.Version;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP API: {@code POST /messages} for apps, {@code /api/v1} for people and operators. */
public final class Api {
  static final Logger LOG = LoggerFactory.getLogger(Api.class);
  static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** The largest request body the server reads. */
  public static final int MAX_BODY = 1024 * 1024;

  /** The request's JSON body, read once before the route runs. */
  private static final String PARSED = "backchannel.json";

  /** The OpenAPI document of every route but the pages, served as written (openapi.json). */
  private static final byte[] OPENAPI = resource("/openapi.json");

  private final Backchannel bc;
  private final String storeKind;

  public Api(Backchannel bc, String storeKind) {
    this.bc = bc;
    this.storeKind = storeKind;
  }

  /** Registers every route and the 404 and 405 answers; {@link #failed} answers failures. */
  public void register(RoutesConfig r) {
    // Refused from the header alone, before any route reads (or would wait for) the body.
    r.before(
        ctx -> {
          if (ctx.req().getContentLengthLong() > MAX_BODY) {
            throw new ContentTooLargeResponse();
          }
          // A JSON body must be one well-formed document even where the route reads none, so
          // that no route acts on a request whose body says something else. (App methods under
          // /v1 read theirs themselves, to answer in their own error shape.)
          String type = ctx.contentType();
          if (type != null
              && !ctx.path().startsWith("/v1/")
              && type.toLowerCase(Locale.ROOT).startsWith("application/json")
              && ctx.bodyAsBytes().length > 0) {
            ctx.attribute(PARSED, Json.readSent(ctx.bodyAsBytes(), "body"));
          }
        });
    r.get(
        "/healthz",
        ctx ->
            json(
                ctx,
                200,
                F.objectNode()
                    .put("status", "ok")
                    .put("store", storeKind)
                    .put("version", Version.current().number())));
    r.get(
        "/api/v1/openapi.json",
        ctx -> ctx.status(200).contentType("application/json").result(OPENAPI));
    r.post("/messages", this::postMessage);

    r.get("/api/v1/me", ctx -> json(ctx, 200, Views.user(caller(ctx))));
    r.get("/api/v1/workspace", ctx -> json(ctx, 200, workspace(caller(ctx))));
    r.patch("/api/v1/workspace", this::updateWorkspace);

    r.get(
        "/api/v1/users",
        ctx -> json(ctx, 200, list(bc.directory().users(caller(ctx)), Views::user)));
    r.post("/api/v1/users", this::createUser);
    r.post(
        "/api/v1/users/{id}/token",
        ctx -> {
          var created = bc.directory().rotateToken(caller(ctx), id(ctx, "id"));
          json(ctx, 200, Views.user(created.value()).put("token", created.secret()));
        });
    r.post(
        "/api/v1/users/{id}/deactivate",
        ctx -> json(ctx, 200, Views.user(bc.directory().deactivate(caller(ctx), id(ctx, "id")))));
    r.post(
        "/api/v1/users/{id}/reactivate",
        ctx -> {
          var created = bc.directory().reactivate(caller(ctx), id(ctx, "id"));
          json(ctx, 200, Views.user(created.value()).put("token", created.secret()));
        });

    r.get(
        "/api/v1/flows",
        ctx -> json(ctx, 200, list(bc.directory().flows(caller(ctx)), Views::flow)));
    r.post("/api/v1/flows", this::createFlow);
    r.get(
        "/api/v1/flows/{id}",
        ctx -> json(ctx, 200, Views.flow(bc.directory().memberFlow(caller(ctx), id(ctx, "id")))));
    r.get(
        "/api/v1/flows/{id}/members",
        ctx ->
            json(ctx, 200, list(bc.directory().members(caller(ctx), id(ctx, "id")), Views::user)));
    r.put(
        "/api/v1/flows/{id}/members/{user}",
        ctx -> {
          bc.directory().addMember(caller(ctx), id(ctx, "id"), id(ctx, "user"));
          ctx.status(204);
        });
    r.delete(
        "/api/v1/flows/{id}/members/{user}",
        ctx -> {
          bc.directory().removeMember(caller(ctx), id(ctx, "id"), id(ctx, "user"));
          ctx.status(204);
        });
    r.get(
        "/api/v1/flows/{id}/threads",
        ctx ->
            json(
                ctx,
                200,
                Views.page(
                    bc.threads().threads(caller(ctx), id(ctx, "id"), page(ctx)), Views::thread)));
    r.get(
        "/api/v1/flows/{id}/messages",
        ctx ->
            json(
                ctx,
                200,
                Views.page(
                    bc.threads().flowMessages(caller(ctx), id(ctx, "id"), page(ctx)),
                    Views::message)));

    // An app's own sources in its grant's flow (flow:post), as Flowdock's sources API.
    r.get(
        "/api/v1/flows/{id}/sources",
        ctx ->
            json(
                ctx,
                200,
                list(bc.appSources().list(caller(ctx), id(ctx, "id")), Views::appSource)));
    r.post("/api/v1/flows/{id}/sources", this::createAppSource);
    r.delete(
        "/api/v1/flows/{id}/sources/{source}",
        ctx -> {
          User caller = caller(ctx);
          var gone = bc.appSources().delete(caller, id(ctx, "id"), id(ctx, "source"));
          json(ctx, 200, Views.appSource(gone));
        });

    r.get(
        "/api/v1/threads/{id}",
        ctx -> json(ctx, 200, Views.thread(bc.threads().thread(caller(ctx), id(ctx, "id")))));
    r.get(
        "/api/v1/threads/{id}/messages",
        ctx ->
            json(
                ctx,
                200,
                Views.page(
                    bc.threads().threadMessages(caller(ctx), id(ctx, "id"), page(ctx)),
                    Views::message)));
    r.post(
        "/api/v1/threads/{id}/actions/{index}",
        ctx -> {
          User caller = caller(ctx);
          long index = id(ctx, "index");
          var result =
              bc.threads()
                  .selectAction(caller, id(ctx, "id"), (int) Math.min(index, Integer.MAX_VALUE));
          json(ctx, 200, Views.actionResult(result));
        });

    new GrantRoutes(bc).register(r); // before /api/v1/apps/{id}: "directory" is not an id
    r.get("/api/v1/apps", ctx -> json(ctx, 200, list(bc.apps().apps(caller(ctx)), Views::app)));
    r.post("/api/v1/apps", this::createApp);
    r.get("/api/v1/apps/{id}", this::showApp);
    r.get(
        "/api/v1/sources",
        ctx -> json(ctx, 200, list(bc.apps().sources(caller(ctx)), Views::source)));
    r.post("/api/v1/sources", this::createSource);
    r.delete(
        "/api/v1/sources/{id}",
        ctx -> json(ctx, 200, Views.source(bc.apps().revokeSource(caller(ctx), id(ctx, "id")))));

    new PlatformRoutes(bc).register(r);
    new OAuthClientRoutes(bc).register(r);

    r.get("/api/v1/deliveries", this::listDeliveries);
    r.get(
        "/api/v1/deliveries/{id}",
        ctx -> {
          var detail = bc.deliveries().get(caller(ctx), id(ctx, "id"));
          ObjectNode node = Views.delivery(detail.delivery());
          node.set("attempts", list(detail.attempts(), Views::attempt));
          json(ctx, 200, node);
        });

    r.post(
        "/api/v1/deliveries/{id}/replay",
        ctx -> json(ctx, 200, Views.delivery(bc.deliveries().replay(caller(ctx), id(ctx, "id")))));
    r.get(
        "/api/v1/endpoints",
        ctx -> json(ctx, 200, list(bc.deliveries().endpoints(caller(ctx)), Views::endpoint)));
    r.get(
        "/api/v1/endpoints/{id}",
        ctx ->
            json(ctx, 200, Views.endpoint(bc.deliveries().endpoint(caller(ctx), id(ctx, "id")))));
    r.post("/api/v1/apps/{id}/endpoints", this::createEndpoint);
    r.patch("/api/v1/endpoints/{id}", this::updateEndpoint);
    r.post(
        "/api/v1/endpoints/{id}/enable",
        ctx -> json(ctx, 200, Views.endpoint(bc.deliveries().enable(caller(ctx), id(ctx, "id")))));
    r.post(
        "/api/v1/endpoints/{id}/replay",
        ctx -> {
          User caller = caller(ctx);
          Validation v = new Validation();
          Instant since = instant(ctx, "since", v);
          v.throwIfInvalid();
          int n = bc.deliveries().replayFailed(caller, id(ctx, "id"), since);
          json(ctx, 200, F.objectNode().put("replayed", n));
        });
    r.post("/api/v1/apps/{id}/events", this::publish);
    r.post("/api/v1/apps/{id}/events/batch", this::publishBatch);
    new WorkflowRoutes(bc).register(r);

    r.error(
        404,
        "*",
        ctx -> {
          String type = ctx.res().getContentType();
          if (type == null || !type.matches("(application/json|text/html).*")) {
            error(ctx, 404, noSuchRoute(ctx));
          }
        });
    r.error(405, "*", ctx -> error(ctx, 405, "method not allowed"));
  }

  /**
   * A request the router or the body reader refused, as JSON whatever the client accepts: an
   * unknown route, a wrong method, a body over the limit.
   */
  private static void refused(HttpResponseException e, Context ctx) {
    switch (e) {
      case EndpointNotFound n -> error(ctx, 404, noSuchRoute(ctx));
      case MethodNotAllowedResponse m -> error(ctx, 405, "method not allowed");
      case ContentTooLargeResponse c ->
          error(ctx, 413, "the request body is larger than " + MAX_BODY + " bytes");
      default -> error(ctx, e.getStatus(), e.getMessage());
    }
  }

  private static byte[] resource(String name) {
    try (InputStream in = Api.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String noSuchRoute(Context ctx) {
    return "no such route: " + ctx.method() + " " + ctx.path();
  }

  /** Whether Jetty has already recycled the request (and response) of this context. */
  public static boolean gone(Context ctx) {
    try {
      ctx.req().getRequestURI();
      ctx.res().getStatus();
      return false;
    } catch (RuntimeException recycled) {
      return true;
    }
  }

  private void postMessage(Context ctx) {
    ObjectNode body = formOrJson(ctx);
    JsonNode token = body.remove("flow_token");
    String flowToken =
        token != null && token.isTextual() ? token.asText() : ctx.queryParam("flow_token");
    Posted posted = bc.threads().post(flowToken, body);
    json(
        ctx,
        201,
        F.objectNode()
            .put("id", posted.message().id())
            .put("flow_id", posted.message().flowId())
            .put("thread_id", posted.thread().id()));
  }

  private void createUser(Context ctx) {
    User caller = caller(ctx);
    ObjectNode body = jsonBody(ctx);
    String role = text(body, "role");
    Validation v = new Validation();
    if (role != null && !role.equals("admin") && !role.equals("member")) {
      v.add("role", "must be admin or member");
    }
    v.throwIfInvalid();
    var created =
        bc.directory()
            .createUser(
                caller,
                text(body, "name"),
                text(body, "email"),
                text(body, "avatar"),
                role == null ? User.Role.MEMBER : User.Role.valueOf(role.toUpperCase(Locale.ROOT)));
    json(ctx, 201, Views.user(created.value()).put("token", created.secret()));
  }

  private void createFlow(Context ctx) {
    User caller = caller(ctx);
    ObjectNode body = jsonBody(ctx);
    List<Long> members = new ArrayList<>();
    JsonNode m = body.get("members");
    if (m != null && !m.isNull()) {
      if (!m.isArray()) {
        throw Problem.Invalid.of("members", "must be an array of user ids");
      }
      for (JsonNode id : m) {
        if (!id.isIntegralNumber() || !id.canConvertToLong()) {
          throw Problem.Invalid.of("members", "must be an array of user ids");
        }
        members.add(id.asLong());
      }
    }
    json(ctx, 201, Views.flow(bc.directory().createFlow(caller, text(body, "name"), members)));
  }

  private void createApp(Context ctx) {
    User caller = caller(ctx);
    ObjectNode body = jsonBody(ctx);
    var created = bc.apps().createApp(caller, text(body, "name"), text(body, "client_id"));
    json(ctx, 201, Views.app(created.value()).put("secret", created.secret()));
  }

  /** An app with its settings as an OAuth client. */
  private void showApp(Context ctx) {
    User caller = caller(ctx);
    var app = bc.apps().app(caller, id(ctx, "id"));
    ObjectNode node = Views.app(app);
    node.set("oauth", Views.oauthClient(app, bc.authorizations().client(caller, app.id())));
    json(ctx, 200, node);
  }

  private void createSource(Context ctx) {
    User caller = caller(ctx);
    ObjectNode body = jsonBody(ctx);
    Validation v = new Validation();
    Long app = number(body, "app_id", v);
    Long flow = number(body, "flow_id", v);
    v.throwIfInvalid();
    var created = bc.apps().createSource(caller, app, flow, text(body, "name"));
    json(ctx, 201, Views.source(created.value()).put("flow_token", created.secret()));
  }

  private void createAppSource(Context ctx) {
    User caller = caller(ctx);
    long flow = id(ctx, "id");
    ObjectNode body = jsonBody(ctx);
    var created =
        bc.appSources().create(caller, flow, text(body, "name"), text(body, "external_url"));
    json(ctx, 201, Views.appSource(created.value()).put("flow_token", created.secret()));
  }

  private void createEndpoint(Context ctx) {
    User caller = caller(ctx);
    long app = id(ctx, "id");
    ObjectNode body = jsonBody(ctx);
    EndpointSettings e = endpointSettings(body);
    json(
        ctx,
        201,
        Views.endpoint(
            bc.deliveries()
                .createEndpoint(
                    caller, app, text(body, "url"), e.fifo(), e.maxInFlight(), e.types())));
  }

  private ObjectNode workspace(User caller) {
    return Views.workspace(
        bc.directory().workspace(caller), bc.retention().view(caller), bc.grants().policy(caller));
  }

  /**
   * An admin sets how long the workspace's finished deliveries are kept and which apps people may
   * add by themselves; a setting left out changes nothing.
   */
  private void updateWorkspace(Context ctx) {
    User caller = caller(ctx);
    Directory.requireAdmin(caller); // before reading the body: members get 403, not 400
    ObjectNode body = jsonBody(ctx);
    String retention = text(body, "retention");
    String installPolicy = text(body, "install_policy");
    // Every value is read before any is set, so a refused request changes nothing.
    InstallPolicy policy = installPolicy == null ? null : Grants.policy(installPolicy);
    if (retention != null) {
      bc.retention().set(caller, retention);
    }
    if (policy != null) {
      bc.grants().setPolicy(caller, policy);
    }
    json(ctx, 200, workspace(caller));
  }

  private void updateEndpoint(Context ctx) {
    User caller = caller(ctx);
    long endpoint = id(ctx, "id");
    EndpointSettings e = endpointSettings(jsonBody(ctx));
    json(
        ctx,
        200,
        Views.endpoint(
            bc.deliveries().update(caller, endpoint, e.fifo(), e.maxInFlight(), e.types())));
  }

  private record EndpointSettings(Boolean fifo, Integer maxInFlight, List<String> types) {}

  private static EndpointSettings endpointSettings(ObjectNode body) {
    Validation v = new Validation();
    Boolean fifo = null;
    JsonNode f = body.get("fifo");
    if (f != null && !f.isNull()) {
      if (f.isBoolean()) {
        fifo = f.asBoolean();
      } else {
        v.add("fifo", "must be true or false");
      }
    }
    Integer max = null;
    JsonNode m = body.get("max_in_flight");
    if (m != null && !m.isNull()) {
      if (m.isIntegralNumber() && m.canConvertToInt()) {
        max = m.asInt();
      } else {
        v.add("max_in_flight", "must be a whole number");
      }
    }
    List<String> types = null;
    JsonNode t = body.get("event_types");
    if (t != null && !t.isNull()) {
      types = new ArrayList<>();
      if (!t.isArray()) {
        v.add("event_types", "must be an array of event type names");
      } else {
        for (JsonNode name : t) {
          if (!name.isTextual()) {
            v.add("event_types", "must be an array of event type names");
            break;
          }
          types.add(name.asText());
        }
      }
    }
    v.throwIfInvalid();
    return new EndpointSettings(fifo, max, types);
  }

  private void publish(Context ctx) {
    User caller = caller(ctx);
    long app = id(ctx, "id");
    ObjectNode body = jsonBody(ctx);
    var created =
        bc.deliveries()
            .publish(
                caller, app, text(body, "type"), body.get("data"), ctx.header("Idempotency-Key"));
    ObjectNode out = F.objectNode();
    out.set("deliveries", list(created, Views::delivery));
    json(ctx, 202, out);
  }

  /**
   * {@code {"events": [{"type", "data", "idempotency_key"?}, ...]}}: each event answered in order,
   * {@code 202} with its deliveries' ids or {@code 400} with its reasons; the accepted ones are
   * committed together.
   */
  private void publishBatch(Context ctx) {
    User caller = caller(ctx);
    long app = id(ctx, "id");
    JsonNode events = jsonBody(ctx).get("events");
    if (events == null || !events.isArray()) {
      throw Problem.Invalid.of("events", "is required: an array of events");
    }
    if (events.isEmpty() || events.size() > Deliveries.MAX_BATCH) {
      throw Problem.Invalid.of("events", "must be 1 to " + Deliveries.MAX_BATCH + " events");
    }
    // An event that is not even an object is refused here; the rest are checked by the service.
    List<Deliveries.NewEvent> readable = new ArrayList<>(events.size());
    Map<Integer, Map<String, List<String>>> unreadable = new HashMap<>();
    for (int i = 0; i < events.size(); i++) {
      JsonNode e = events.get(i);
      try {
        if (!e.isObject()) {
          throw Problem.Invalid.of("event", "must be a JSON object");
        }
        ObjectNode event = (ObjectNode) e;
        readable.add(
            new Deliveries.NewEvent(
                text(event, "type"), event.get("data"), text(event, "idempotency_key")));
      } catch (Problem.Invalid refused) {
        unreadable.put(i, refused.errors());
      }
    }
    List<Deliveries.Published> published =
        readable.isEmpty() ? List.of() : bc.deliveries().publishBatch(caller, app, readable);
    var results = F.arrayNode();
    int accepted = 0;
    for (int i = 0, next = 0; i < events.size(); i++) {
      ObjectNode r = results.addObject();
      Map<String, List<String>> errors =
          unreadable.containsKey(i) ? unreadable.get(i) : published.get(next).errors();
      if (errors.isEmpty()) {
        accepted++;
        r.put("status", 202);
        var ids = r.putArray("delivery_ids");
        published.get(next).deliveries().forEach(d -> ids.add(d.id()));
      } else {
        r.put("status", 400);
        ObjectNode byField = r.putObject("errors");
        errors.forEach((field, reasons) -> reasons.forEach(byField.withArrayProperty(field)::add));
      }
      if (!unreadable.containsKey(i)) {
        next++;
      }
    }
    ObjectNode out =
        F.objectNode().put("accepted", accepted).put("refused", events.size() - accepted);
    out.set("results", results);
    json(ctx, 202, out);
  }

  private void listDeliveries(Context ctx) {
    User caller = caller(ctx);
    Validation v = new Validation();
    Long app = optionalLong(ctx, "app_id", v);
    Long endpoint = optionalLong(ctx, "endpoint_id", v);
    DeliveryState state = null;
    String s = ctx.queryParam("state");
    if (s != null) {
      try {
        state = DeliveryState.valueOf(s.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        v.add("state", "must be one of pending, sending, succeeded, failed");
      }
    }
    Instant since = instant(ctx, "since", v);
    Instant until = instant(ctx, "until", v);
    String event = ctx.queryParam("event");
    v.throwIfInvalid();
    var filter =
        new DeliveryFilter(
            caller.workspaceId(),
            app,
            endpoint,
            state,
            since,
            until,
            event == null || event.isBlank() ? null : event);
    json(ctx, 200, Views.page(bc.deliveries().list(caller, filter, page(ctx)), Views::delivery));
  }

  private User caller(Context ctx) {
    return caller(bc, ctx);
  }

  /**
   * The person a request's bearer token belongs to: their own API token, or an app's OAuth access
   * token acting for them (a caller carrying the grant's delegation), which the route's scope
   * ({@link RouteScopes}) must cover.
   *
   * @throws Problem.Forbidden if an app's token lacks the route's scope
   */
  static User caller(Backchannel bc, Context ctx) {
    String header = ctx.header("Authorization");
    String token = null;
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      token = header.substring(7).strip();
    }
    if (token != null && Tokens.isAccessToken(token)) {
      User delegated = bc.accessTokens().authenticate(token);
      Endpoint route = ctx.endpoint();
      RouteScopes.check(delegated, route.method.name(), route.path);
      return delegated;
    }
    return bc.directory().authenticate(token);
  }

  static ObjectNode formOrJson(Context ctx) {
    String type = ctx.contentType() == null ? "" : ctx.contentType().toLowerCase(Locale.ROOT);
    if (type.startsWith("application/x-www-form-urlencoded")) {
      return FormBody.toJson(ctx.body());
    }
    return jsonBody(ctx);
  }

  static ObjectNode jsonBody(Context ctx) {
    JsonNode node = ctx.attribute(PARSED);
    if (node == null) {
      byte[] bytes = ctx.bodyAsBytes();
      if (bytes.length == 0) {
        throw Problem.Invalid.of("body", "is required: a JSON object");
      }
      node = Json.readSent(bytes, "body");
    }
    if (!node.isObject()) {
      throw Problem.Invalid.of("body", "must be a JSON object");
    }
    return (ObjectNode) node;
  }

  static String text(ObjectNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw Problem.Invalid.of(field, "must be a string");
    }
    return node.asText();
  }

  static Long number(ObjectNode body, String field, Validation v) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      v.add(field, "is required");
      return null;
    }
    if (!node.canConvertToLong() || !node.isIntegralNumber()) {
      v.add(field, "must be a whole number");
      return null;
    }
    return node.asLong();
  }

  static long id(Context ctx, String name) {
    String raw = ctx.pathParam(name);
    try {
      long value = Long.parseLong(raw);
      if (value < 0) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw Problem.Invalid.of(
          name, "must be a non-negative whole number, not '" + clip(raw) + "'");
    }
  }

  static PageRequest page(Context ctx) {
    Validation v = new Validation();
    Long before = optionalLong(ctx, "before", v);
    Long after = optionalLong(ctx, "after", v);
    Long limit = optionalLong(ctx, "limit", v);
    v.throwIfInvalid();
    return new PageRequest(
        before,
        after,
        limit == null ? PageRequest.DEFAULT_LIMIT : (int) Math.min(limit, Integer.MAX_VALUE));
  }

  static Long optionalLong(Context ctx, String name, Validation v) {
    String raw = ctx.queryParam(name);
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException e) {
      v.add(name, "must be a whole number");
      return null;
    }
  }

  static Instant instant(Context ctx, String name, Validation v) {
    String raw = ctx.queryParam(name);
    if (raw == null || raw.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(raw);
    } catch (DateTimeParseException e) {
      v.add(name, "must be an ISO-8601 instant such as 2026-01-31T12:00:00Z");
      return null;
    }
  }

  static <T> com.fasterxml.jackson.databind.node.ArrayNode list(
      List<T> items, java.util.function.Function<T, ObjectNode> view) {
    return Views.list(items, view);
  }

  /**
   * The JSON answer to a request that failed: a refused one with its status, anything else as a
   * logged 500 that says nothing of the cause.
   */
  public static void failed(Context ctx, Exception e) {
    if (e instanceof HttpResponseException refused) {
      refused(refused, ctx);
      return;
    }
    Integer unreadable = HttpProblem.unreadable(e);
    if (unreadable != null) {
      // Broken framing or a client gone mid-body: its fault, worth one line at most.
      LOG.info("{} {} refused: {}", ctx.method(), ctx.path(), e.getMessage());
      error(ctx, unreadable, "the request could not be read: " + e.getMessage());
      return;
    }
    if (e instanceof Problem p) {
      HttpProblem problem = HttpProblem.of(p);
      if (p instanceof Problem.Forbidden) {
        // Refused, not invalid: the message says why; errors name the scope an app lacks.
        json(ctx, 403, problemBody(problem.message(), problem.errors()));
      } else if (problem.hasFields()) {
        validation(ctx, problem.status(), problem.errors());
      } else {
        error(ctx, problem.status(), problem.message());
      }
      return;
    }
    LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
    error(ctx, 500, "internal error");
  }

  /** {@code {"message": "Validation error", "errors": {"field": ["reason", ...]}}}. */
  static void validation(Context ctx, int status, Map<String, List<String>> reasons) {
    json(ctx, status, problemBody("Validation error", reasons));
  }

  /** {@code {"message", "errors"?}}: errors only when some field has reasons. */
  private static ObjectNode problemBody(String message, Map<String, List<String>> reasons) {
    ObjectNode node = F.objectNode().put("message", message);
    if (!reasons.isEmpty()) {
      ObjectNode errors = node.putObject("errors");
      reasons.forEach(
          (field, list) -> list.forEach(reason -> errors.withArrayProperty(field).add(reason)));
    }
    return node;
  }

  static void error(Context ctx, int status, String message) {
    json(ctx, status, F.objectNode().put("message", message));
  }

  static void json(Context ctx, int status, JsonNode body) {
    ctx.status(status).contentType("application/json").result(Json.write(body));
  }

  static String clip(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
