package org.backchannel.server.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The stylesheet and the script every page loads, and the Flow Builder's script; nothing else is
 * served from here.
 */
final class Assets implements WebArea {
  private static final Map<String, String> TYPES =
      Map.of(
          "app.css",
          "text/css; charset=utf-8",
          "app.js",
          "text/javascript; charset=utf-8",
          "builder.js",
          "text/javascript; charset=utf-8");

  @Override
  public void register(RoutesConfig r, Guard guard) {
    r.get("/ui/assets/{name}", this::asset);
  }

  private void asset(Context ctx) {
    String name = ctx.pathParam("name");
    String type = TYPES.get(name);
    if (type == null) {
      ctx.status(404).result("no such asset");
      return;
    }
    try (InputStream in = Assets.class.getResourceAsStream("/web/" + name)) {
      ctx.header("Cache-Control", "max-age=300");
      ctx.contentType(type).result(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
