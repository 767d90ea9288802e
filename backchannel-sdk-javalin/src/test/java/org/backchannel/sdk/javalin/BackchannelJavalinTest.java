package org.backchannel.sdk.javalin;

import io.javalin.Javalin;
import org.backchannel.sdk.AdapterContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The adapter contract, on a real Javalin server. */
class BackchannelJavalinTest extends AdapterContract {
  Javalin app;

  @BeforeEach
  void start() {
    app =
        Javalin.create(
                c -> {
                  c.jetty.host = "127.0.0.1";
                  c.jetty.port = 0;
                  c.startup.showJavalinBanner = false;
                  c.routes.post("/events", BackchannelJavalin.events(SECRETS, clock, EVENTS));
                  c.routes.get("/widget", BackchannelJavalin.widget(SECRETS, clock, WIDGET));
                  c.routes.post(
                      "/assign", BackchannelJavalin.updateActions(SECRETS, clock, ASSIGN));
                  c.routes.post(
                      "/api-call", BackchannelJavalin.standardWebhooks(SECRETS, clock, API_CALL));
                  c.routes.post(
                      "/broken", BackchannelJavalin.standardWebhooks(SECRETS, clock, BROKEN));
                })
            .start();
  }

  @AfterEach
  void stop() {
    app.stop();
  }

  @Override
  protected int port() {
    return app.port();
  }
}
