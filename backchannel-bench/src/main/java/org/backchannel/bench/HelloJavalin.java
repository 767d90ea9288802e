package org.backchannel.bench;

import io.javalin.Javalin;

/**
 * The bare Javalin 7 hello-world that {@code serve}'s start-up is compared with: same JDK, same
 * class path, same way of starting, {@code GET /healthz} answering 200. Argument: the port.
 */
public final class HelloJavalin {
  private HelloJavalin() {}

  public static void main(String[] args) {
    Javalin.create(
            c -> {
              c.jetty.host = "127.0.0.1";
              c.jetty.port = Integer.parseInt(args[0]);
              c.startup.showJavalinBanner = false;
              c.routes.get("/healthz", ctx -> ctx.result("ok"));
            })
        .start();
  }
}
