package org.backchannel.sdk.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.backchannel.sdk.AdapterContract;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The adapter contract, on embedded Jetty with the servlets mounted; plus what only servlets do.
 */
class BackchannelServletsTest extends AdapterContract {
  Server server;

  @BeforeEach
  void start() throws Exception {
    server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler();
    context.addServlet(BackchannelServlets.events(SECRETS, clock, EVENTS), "/events");
    context.addServlet(BackchannelServlets.widget(SECRETS, clock, WIDGET), "/widget");
    context.addServlet(BackchannelServlets.updateActions(SECRETS, clock, ASSIGN), "/assign");
    context.addServlet(BackchannelServlets.standardWebhooks(SECRETS, clock, API_CALL), "/api-call");
    context.addServlet(BackchannelServlets.standardWebhooks(SECRETS, clock, BROKEN), "/broken");
    server.setHandler(context);
    server.start();
  }

  @AfterEach
  void stop() throws Exception {
    server.stop();
  }

  @Override
  protected int port() {
    return ((NetworkConnector) server.getConnectors()[0]).getLocalPort();
  }

  @Test
  void anEventListenerAnswersOnlyPost() throws Exception {
    HttpResponse<String> get =
        client.send(
            HttpRequest.newBuilder(url("/events")).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
  }
}
