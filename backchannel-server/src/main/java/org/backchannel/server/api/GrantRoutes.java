package org.backchannel.server.api;

import static org.backchannel.server.api.Api.F;
import static org.backchannel.server.api.Api.caller;
import static org.backchannel.server.api.Api.id;
import static org.backchannel.server.api.Api.json;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Instant;
import org.backchannel.core.Problem;
import org.backchannel.core.Validation;
import org.backchannel.core.oauth.FlowApps;
import org.backchannel.core.oauth.GrantEventView;
import org.backchannel.core.oauth.GrantView;
import org.backchannel.core.oauth.Grants;
import org.backchannel.core.oauth.ListedApp;
import org.backchannel.core.wiring.Backchannel;
import org.backchannel.core.workspace.Scope;
import org.backchannel.core.workspace.User;

/**
 * People's grants to apps: their own ({@code /api/v1/me/grants}), a flow's apps, every grant and
 * the record for admins ({@code /api/v1/grants}), and the app directory. Each takes a person's own
 * token; {@link Grants} refuses an app's access token.
 */
final class GrantRoutes {
  /** How many entries of the record {@code GET /api/v1/grants/events} answers by default. */
  static final int DEFAULT_EVENTS = 100;

  private final Backchannel bc;

  GrantRoutes(Backchannel bc) {
    this.bc = bc;
  }

  /** Registers the routes; before {@code /api/v1/apps/{id}}, as "directory" is not an app id. */
  void register(RoutesConfig r) {
    r.get("/api/v1/apps/directory", ctx -> json(ctx, 200, directory(caller(bc, ctx))));
    r.get(
        "/api/v1/me/grants",
        ctx -> json(ctx, 200, Views.list(bc.grants().mine(caller(bc, ctx)), GrantRoutes::grant)));
    r.delete(
        "/api/v1/me/grants/{id}",
        ctx -> json(ctx, 200, grant(bc.grants().revokeMine(caller(bc, ctx), id(ctx, "id")))));
    r.get(
        "/api/v1/flows/{id}/apps",
        ctx -> json(ctx, 200, flowApps(bc.grants().flowApps(caller(bc, ctx), id(ctx, "id")))));
    r.get("/api/v1/grants", this::allGrants);
    r.get("/api/v1/grants/events", this::events);
    r.delete(
        "/api/v1/grants/{id}",
        ctx -> json(ctx, 200, grant(bc.grants().revoke(caller(bc, ctx), id(ctx, "id")))));
  }

  private void allGrants(Context ctx) {
    User caller = caller(bc, ctx);
    String revoked = ctx.queryParam("revoked");
    if (revoked != null && !revoked.equals("true") && !revoked.equals("false")) {
      throw Problem.Invalid.of("revoked", "must be true or false");
    }
    json(ctx, 200, Views.list(bc.grants().all(caller, "true".equals(revoked)), GrantRoutes::grant));
  }

  private void events(Context ctx) {
    User caller = caller(bc, ctx);
    Validation v = new Validation();
    Long limit = Api.optionalLong(ctx, "limit", v);
    v.throwIfInvalid();
    int n =
        limit == null ? DEFAULT_EVENTS : Math.clamp(limit, Integer.MIN_VALUE, Integer.MAX_VALUE);
    json(ctx, 200, Views.list(bc.grants().events(caller, n), GrantRoutes::event));
  }

  private com.fasterxml.jackson.databind.node.ArrayNode directory(User caller) {
    return Views.list(
        bc.grants().directory(caller),
        (ListedApp l) ->
            F.objectNode()
                .put("app_id", l.app().id())
                .put("name", l.app().name())
                .put("description", l.description())
                .put("install_url", l.installUrl()));
  }

  static ObjectNode grant(GrantView v) {
    var g = v.grant();
    ObjectNode node =
        F.objectNode()
            .put("id", g.id())
            .put("app_id", g.appId())
            .put("app_name", v.app().name())
            .put("user_id", g.userId())
            .put("user_name", v.person().name())
            .put("flow_id", g.flowId())
            .put("flow_name", v.flow() == null ? null : v.flow().name());
    var scopes = node.putArray("scopes");
    g.scopes().stream().sorted().map(Scope::wire).forEach(scopes::add);
    return node.put("created_at", time(g.createdAt()))
        .put("revoked_at", time(g.revokedAt()))
        .put("revoked_by", g.revokedBy())
        .put("revoked_by_name", v.revokedBy() == null ? null : v.revokedBy().name());
  }

  static ObjectNode event(GrantEventView v) {
    var e = v.event();
    var g = v.grant();
    return F.objectNode()
        .put("id", e.id())
        .put("grant_id", e.grantId())
        .put("action", e.action())
        .put("detail", e.detail())
        .put("at", time(e.at()))
        .put("actor_id", e.actorId())
        .put("actor_name", v.actor() == null ? null : v.actor().name())
        .put("app_id", g.grant().appId())
        .put("app_name", g.app().name())
        .put("user_id", g.grant().userId())
        .put("user_name", g.person().name())
        .put("flow_id", g.grant().flowId())
        .put("flow_name", g.flow() == null ? null : g.flow().name());
  }

  static ObjectNode flowApps(FlowApps apps) {
    ObjectNode node = F.objectNode().put("flow_id", apps.flow().id());
    node.set(
        "sources",
        Views.list(
            apps.sources(),
            p ->
                F.objectNode()
                    .put("id", p.source().id())
                    .put("name", p.source().name())
                    .put("app_id", p.app().id())
                    .put("app_name", p.app().name())
                    .put("external_url", p.source().externalUrl())
                    .put("grant_id", p.source().grantId())
                    .put("added_by", p.addedBy() == null ? null : p.addedBy().id())
                    .put("added_by_name", p.addedBy() == null ? null : p.addedBy().name())
                    .put("created_at", time(p.source().createdAt()))));
    node.set("grants", Views.list(apps.grants(), GrantRoutes::grant));
    return node;
  }

  private static String time(Instant instant) {
    return instant == null ? null : instant.toString();
  }
}
