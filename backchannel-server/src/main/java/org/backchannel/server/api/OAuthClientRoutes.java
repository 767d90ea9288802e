package org.backchannel.server.api;

import static org.backchannel.server.api.Api.caller;
import static org.backchannel.server.api.Api.id;
import static org.backchannel.server.api.Api.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import org.backchannel.core.Validation;
import org.backchannel.core.apps.App;
import org.backchannel.core.oauth.OAuthClient;
import org.backchannel.core.wiring.Backchannel;
import org.backchannel.core.workspace.Directory;
import org.backchannel.core.workspace.User;

/** An app's settings as an OAuth client, for admins: {@code /api/v1/apps/{id}/oauth}. */
final class OAuthClientRoutes {
  private final Backchannel bc;

  OAuthClientRoutes(Backchannel bc) {
    this.bc = bc;
  }

  void register(RoutesConfig r) {
    r.get("/api/v1/apps/{id}/oauth", this::show);
    r.put("/api/v1/apps/{id}/oauth", this::save);
  }

  private void show(Context ctx) {
    User caller = caller(bc, ctx);
    App app = bc.apps().app(caller, id(ctx, "id"));
    json(ctx, 200, Views.oauthClient(app, bc.authorizations().client(caller, app.id())));
  }

  /**
   * Replaces the settings: what the body leaves out is unset (no URIs, not public, not approved).
   */
  private void save(Context ctx) {
    User caller = caller(bc, ctx);
    Directory.requireAdmin(caller); // before reading the body: members get 403, not 400
    App app = bc.apps().app(caller, id(ctx, "id"));
    ObjectNode body = Api.jsonBody(ctx);
    Validation v = new Validation();
    List<String> uris = new ArrayList<>();
    JsonNode list = body.get("redirect_uris");
    if (list == null || list.isNull()) {
      v.add("redirect_uris", "is required: an array of exact URIs (it may be empty)");
    } else if (!list.isArray()) {
      v.add("redirect_uris", "must be an array of exact URIs");
    } else {
      for (int i = 0; i < list.size(); i++) {
        if (list.get(i).isTextual()) {
          uris.add(list.get(i).asText());
        } else {
          v.add("redirect_uris[" + i + "]", "must be a string");
        }
      }
    }
    boolean publicClient = flag(body, "public_client", v);
    boolean approved = flag(body, "approved", v);
    String description = string(body, "description", v);
    String installUrl = string(body, "install_url", v);
    v.throwIfInvalid();
    OAuthClient saved =
        bc.authorizations()
            .saveClient(
                caller,
                new OAuthClient(app.id(), uris, publicClient, approved, description, installUrl));
    json(ctx, 200, Views.oauthClient(app, saved));
  }

  private static boolean flag(ObjectNode body, String field, Validation v) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return false;
    }
    if (!node.isBoolean()) {
      v.add(field, "must be true or false");
      return false;
    }
    return node.asBoolean();
  }

  private static String string(ObjectNode body, String field, Validation v) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      v.add(field, "must be a string");
      return null;
    }
    return node.asText();
  }
}
