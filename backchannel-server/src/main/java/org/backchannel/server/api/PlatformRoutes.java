package org.backchannel.server.api;

import static org.backchannel.server.api.Api.F;
import static org.backchannel.server.api.Api.caller;
import static org.backchannel.server.api.Api.id;
import static org.backchannel.server.api.Api.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.backchannel.core.Json;
import org.backchannel.core.Problem;
import org.backchannel.core.delivery.Outcome;
import org.backchannel.core.platform.ChatMessage;
import org.backchannel.core.platform.ClientResult;
import org.backchannel.core.platform.Install;
import org.backchannel.core.platform.InstallResult;
import org.backchannel.core.platform.Platform;
import org.backchannel.core.platform.PlatformIds;
import org.backchannel.core.platform.PlatformJson;
import org.backchannel.core.platform.Registration;
import org.backchannel.core.platform.SecretActivation;
import org.backchannel.core.platform.SecretState;
import org.backchannel.core.security.Tokens;
import org.backchannel.core.wiring.Backchannel;
import org.backchannel.core.workspace.User;

/**
 * App events (the Flock model): developer routes on {@code /api/v1/apps/{id}}, person routes under
 * {@code /api/v1/platform}, and the methods apps call with an install token under {@code /v1}.
 */
public final class PlatformRoutes {
  private final Backchannel bc;

  public PlatformRoutes(Backchannel bc) {
    this.bc = bc;
  }

  public void register(RoutesConfig r) {
    // Developers (admins of the app's workspace).
    r.get(
        "/api/v1/apps/{id}/platform",
        ctx ->
            json(ctx, 200, registration(platform().registration(caller(bc, ctx), id(ctx, "id")))));
    r.put(
        "/api/v1/apps/{id}/platform",
        ctx ->
            json(
                ctx,
                200,
                registration(
                    platform().register(caller(bc, ctx), id(ctx, "id"), Api.jsonBody(ctx)))));
    r.post("/api/v1/apps/{id}/secret", this::rotateSecret);
    r.get("/api/v1/apps/{id}/secret", this::secretState);
    r.post("/api/v1/apps/{id}/secret/activate", this::activateSecret);

    // People.
    String app = "/api/v1/platform/apps/{id}";
    r.post(
        app + "/install",
        ctx -> json(ctx, 200, installResult(platform().install(caller(bc, ctx), id(ctx, "id")))));
    r.delete(
        app + "/install",
        ctx -> json(ctx, 200, install(platform().uninstall(caller(bc, ctx), id(ctx, "id")))));
    r.post(
        app + "/bot/messages",
        ctx -> {
          var caller = caller(bc, ctx);
          ObjectNode body = Api.jsonBody(ctx);
          json(
              ctx,
              201,
              message(platform().messageBot(caller, id(ctx, "id"), Api.text(body, "text"))));
        });
    client(
        r,
        app + "/slash-commands",
        (caller, id, body, ctx) ->
            platform()
                .slashCommand(
                    caller,
                    id,
                    Api.text(body, "command"),
                    Api.text(body, "text"),
                    Api.text(body, "chat"),
                    Api.text(body, "client")));
    client(
        r,
        app + "/buttons/{button}",
        (caller, id, body, ctx) ->
            platform()
                .pressButton(
                    caller,
                    id,
                    ctx.pathParam("button"),
                    Api.text(body, "chat"),
                    Api.text(body, "client")));
    client(
        r,
        app + "/widgets/{widget}/actions",
        (caller, id, body, ctx) ->
            platform()
                .widgetAction(
                    caller,
                    id,
                    ctx.pathParam("widget"),
                    Api.text(body, "chat"),
                    Api.text(body, "client")));
    r.post(
        "/api/v1/platform/flows/{id}/messages",
        ctx -> {
          var caller = caller(bc, ctx);
          ObjectNode body = Api.jsonBody(ctx);
          json(ctx, 201, message(platform().post(caller, id(ctx, "id"), Api.text(body, "text"))));
        });
    r.get(
        "/api/v1/platform/flows/{id}/messages",
        ctx ->
            json(
                ctx,
                200,
                Views.page(
                    platform().flowMessages(caller(bc, ctx), id(ctx, "id"), Api.page(ctx)),
                    PlatformRoutes::message)));
    r.get(
        "/api/v1/platform/messages/{id}",
        ctx -> json(ctx, 200, message(platform().message(caller(bc, ctx), id(ctx, "id")))));
    client(
        r,
        "/api/v1/platform/messages/{id}/buttons/{button}",
        (caller, id, body, ctx) ->
            platform()
                .pressMessageButton(caller, id, ctx.pathParam("button"), Api.text(body, "client")));
    client(
        r,
        "/api/v1/platform/messages/{id}/flockml-actions/{action}",
        (caller, id, body, ctx) ->
            platform()
                .flockmlAction(caller, id, ctx.pathParam("action"), Api.text(body, "client")));

    // Apps, acting for the person who installed them.
    r.post("/v1/{method}", this::method);
  }

  /** What a client action route does with its caller, path id and (optional) body. */
  private interface ClientCall {
    ClientResult run(User caller, long id, ObjectNode body, Context ctx);
  }

  private void client(RoutesConfig r, String path, ClientCall call) {
    r.post(
        path,
        ctx -> {
          User caller = caller(bc, ctx);
          ObjectNode body = optionalBody(ctx);
          json(ctx, 200, clientResult(call.run(caller, id(ctx, "id"), body, ctx)));
        });
  }

  private Platform platform() {
    return bc.platform();
  }

  private void rotateSecret(Context ctx) {
    var caller = caller(bc, ctx);
    long app = bc.apps().app(caller, id(ctx, "id")).id(); // 403 and 404 before 400
    ObjectNode body = optionalBody(ctx);
    if (body.hasNonNull("grace_seconds")) {
      // The old secret's grace starts when the new one is activated, and is asked for there.
      throw Problem.Invalid.of(
          "grace_seconds", "is given on activation: POST /api/v1/apps/{id}/secret/activate");
    }
    var created = platform().rotateSecret(caller, app);
    json(
        ctx,
        200,
        F.objectNode()
            .put("secret", created.secret())
            .put("pending_since", created.value().toString()));
  }

  /** Where a rotation stands, so that whoever activates can see a secret is waiting. */
  private void secretState(Context ctx) {
    SecretState state = platform().secretState(caller(bc, ctx), id(ctx, "id"));
    Instant pending = state.pendingSince();
    Instant until = state.previousExpiresAt();
    json(
        ctx,
        200,
        F.objectNode()
            .put("pending_since", pending == null ? null : pending.toString())
            .put("previous_secret_expires_at", until == null ? null : until.toString()));
  }

  private void activateSecret(Context ctx) {
    var caller = caller(bc, ctx);
    ObjectNode body = optionalBody(ctx);
    Duration grace = null;
    JsonNode g = body.get("grace_seconds");
    if (g != null && !g.isNull()) {
      if (!g.isIntegralNumber() || !g.canConvertToLong()) {
        throw Problem.Invalid.of("grace_seconds", "must be a whole number of seconds");
      }
      grace = Duration.ofSeconds(g.asLong());
    }
    SecretActivation done = platform().activateSecret(caller, id(ctx, "id"), grace);
    Instant until = done.previousExpiresAt();
    json(
        ctx,
        200,
        F.objectNode()
            .put("activated_at", done.activatedAt().toString())
            .put("previous_secret_expires_at", until == null ? null : until.toString()));
  }

  // ---- /v1 methods: Flock's shape, {"error", "description"} on failure

  private void method(Context ctx) {
    try {
      String method = ctx.pathParam("method");
      if (!method.equals("chat.sendMessage")) {
        throw new Problem.NotFound("method " + method);
      }
      ObjectNode body = Api.formOrJson(ctx);
      String token = token(ctx, body);
      JsonNode attachments = body.get("attachments");
      if (attachments != null && attachments.isTextual()) {
        // Form posts carry attachments as a JSON string, as Flock's methods accept them.
        body.set("attachments", Json.readSent(attachments.asText(), "attachments"));
      }
      ChatMessage sent;
      if (token != null && Tokens.isAccessToken(token)) {
        // An app acting through a person's OAuth grant rather than an install.
        User caller = bc.accessTokens().authenticate(token);
        RouteScopes.check(caller, "POST", "/v1/" + method);
        sent = platform().sendMessage(caller, body);
      } else {
        sent = platform().sendMessage(token, body);
      }
      json(ctx, 200, F.objectNode().put("uid", sent.uid()));
    } catch (Problem.Invalid e) {
      List<String> reasons = new ArrayList<>();
      e.errors().forEach((field, why) -> why.forEach(w -> reasons.add(field + " " + w)));
      methodError(ctx, 400, "InvalidParameter", String.join("; ", reasons));
    } catch (Problem.Unauthorized e) {
      methodError(ctx, 401, "InvalidToken", e.getMessage());
    } catch (Problem.Forbidden e) {
      methodError(ctx, 403, "AccessDenied", e.getMessage());
    } catch (Problem.NotFound e) {
      methodError(ctx, 404, "NotFound", e.getMessage());
    } catch (Problem.Conflict e) {
      methodError(ctx, 409, "Conflict", e.getMessage());
    } catch (HttpResponseException e) {
      throw e; // the request itself was refused (too large, say): answered like any other route
    } catch (RuntimeException e) {
      Api.LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
      methodError(ctx, 500, "InternalServerError", "internal error");
    }
  }

  /**
   * The install token: {@code token} in the body or query, or the user-token header; else an OAuth
   * access token given as {@code Authorization: Bearer}.
   */
  private static String token(Context ctx, ObjectNode body) {
    JsonNode t = body.remove("token");
    if (t != null && t.isTextual()) {
      return t.asText();
    }
    if (ctx.queryParam("token") != null) {
      return ctx.queryParam("token");
    }
    if (ctx.header("X-Flock-User-Token") != null) {
      return ctx.header("X-Flock-User-Token");
    }
    String header = ctx.header("Authorization");
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String bearer = header.substring(7).strip();
      return Tokens.isAccessToken(bearer) ? bearer : null;
    }
    return null;
  }

  private static void methodError(Context ctx, int status, String error, String description) {
    json(ctx, status, F.objectNode().put("error", error).put("description", description));
  }

  private static ObjectNode optionalBody(Context ctx) {
    return ctx.bodyAsBytes().length == 0 ? F.objectNode() : Api.jsonBody(ctx);
  }

  // ---- views

  static ObjectNode registration(Registration r) {
    ObjectNode node = F.objectNode().put("app_id", r.appId());
    node.put("event_listener_url", r.eventListenerUrl());
    r.urlPatterns().forEach(node.putArray("url_patterns")::add);
    node.set("controls", PlatformJson.writeControls(r.controls()));
    return node.put("updated_at", r.updatedAt() == null ? null : r.updatedAt().toString());
  }

  static ObjectNode install(Install i) {
    return F.objectNode()
        .put("id", i.id())
        .put("app_id", i.appId())
        .put("user_id", i.userId())
        .put("created_at", i.createdAt().toString())
        .put("revoked_at", i.revokedAt() == null ? null : i.revokedAt().toString());
  }

  static ObjectNode message(ChatMessage m) {
    ObjectNode node =
        F.objectNode()
            .put("id", m.id())
            .put("uid", m.uid())
            .put("from", PlatformIds.user(m.fromUserId()))
            .put("app_id", m.appId())
            .put("chat", m.chat())
            .put("text", m.text());
    node.set("attachments", PlatformJson.writeAttachments(m.attachments()));
    return node.put("created_at", m.createdAt().toString());
  }

  static ObjectNode installResult(InstallResult result) {
    ObjectNode node = F.objectNode();
    switch (result) {
      case InstallResult.Installed i -> {
        node.put("outcome", "installed");
        node.set("install", install(i.install()));
      }
      case InstallResult.Failed f -> failed(node, f.failure());
    }
    return node.put("delivery_id", result.deliveryId());
  }

  static ObjectNode clientResult(ClientResult result) {
    ObjectNode node = F.objectNode();
    switch (result) {
      case ClientResult.Open open ->
          node.put("outcome", "open").put("url", open.url()).put("widget_type", open.widgetType());
      case ClientResult.Queued queued ->
          node.put("outcome", "queued").put("delivery_id", queued.deliveryId());
      case ClientResult.Answered answered -> {
        switch (answered.outcome()) {
          case Outcome.Failed f -> failed(node, f);
          default -> node.put("outcome", "done").put("text", answered.text());
        }
        node.put("delivery_id", answered.deliveryId());
      }
    }
    return node;
  }

  private static void failed(ObjectNode node, Outcome.Failed f) {
    node.put("outcome", "failed").put("status", f.status()).put("reason", f.reason());
  }
}
