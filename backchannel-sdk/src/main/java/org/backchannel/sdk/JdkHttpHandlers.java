package org.backchannel.sdk;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;

/**
 * Handlers for the JDK's {@code com.sun.net.httpserver}: each reads the call, verifies it, passes
 * the typed call to the app's function and writes the {@link Answer} it returns.
 *
 * <p>A call that fails verification gets 403 with {@code {"error": "verification failed", "check":
 * "<check>"}} and never reaches the app. A body over {@value #MAX_BODY_BYTES} bytes gets 413. If
 * the app's function throws, the call gets 500 with no detail; if it returns null, 200.
 *
 * <pre>{@code
 * HttpServer server = HttpServer.create(new InetSocketAddress(8080), 0);
 * server.createContext("/events", JdkHttpHandlers.events(secrets, Clock.systemUTC(), event ->
 *     switch (event) {
 *       case Event.ClientSlashCommand c -> Answers.slashCommand("Added " + c.text());
 *       default -> Answers.ok();
 *     }));
 * server.start();
 * }</pre>
 */
public final class JdkHttpHandlers {
  /** The largest request body the handlers read. */
  public static final int MAX_BODY_BYTES = 1 << 20;

  private JdkHttpHandlers() {}

  /** Receives app events POSTed to the event listener URL; see {@link Events#verify}. */
  public static HttpHandler events(
      List<AppSecret> secrets, Clock clock, Function<? super Event, Answer> app) {
    List<AppSecret> valid = List.copyOf(secrets);
    return exchange ->
        handle(
            exchange,
            true,
            body ->
                app.apply(
                    Events.verify(
                        valid,
                        exchange.getRequestHeaders().getFirst(EventToken.HEADER),
                        body,
                        clock.instant())));
  }

  /**
   * Receives events opened in a widget or the browser (any method; the event is in the query); see
   * {@link Events#verifyQuery}.
   */
  public static HttpHandler widget(
      List<AppSecret> secrets, Clock clock, Function<? super Events.WidgetEvent, Answer> app) {
    List<AppSecret> valid = List.copyOf(secrets);
    return exchange ->
        handle(
            exchange,
            false,
            body ->
                app.apply(
                    Events.verifyQuery(
                        valid, exchange.getRequestURI().getRawQuery(), clock.instant())));
  }

  /**
   * Receives UpdateAction calls (with any method: the action's {@code httpMethod} chooses it); see
   * {@link UpdateActions#verify}.
   */
  public static HttpHandler updateActions(
      List<AppSecret> secrets, Clock clock, Function<? super UpdateActions.Verified, Answer> app) {
    List<AppSecret> valid = List.copyOf(secrets);
    return exchange ->
        handle(
            exchange,
            false,
            body ->
                app.apply(
                    UpdateActions.verify(
                        valid,
                        exchange.getRequestHeaders().getFirst(FlowdockToken.HEADER),
                        body,
                        clock.instant())));
  }

  /** Writes {@code answer} and closes the exchange. */
  public static void write(HttpExchange exchange, Answer answer) throws IOException {
    try (exchange) {
      answer.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
      byte[] body = answer.body();
      boolean noBody =
          body.length == 0
              || answer.status() == 204
              || answer.status() == 304
              || "HEAD".equalsIgnoreCase(exchange.getRequestMethod());
      exchange.sendResponseHeaders(answer.status(), noBody ? -1 : body.length);
      if (!noBody) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  private interface Call {
    Answer answer(byte[] body);
  }

  private static void handle(HttpExchange exchange, boolean postOnly, Call call)
      throws IOException {
    if (postOnly && !"POST".equalsIgnoreCase(exchange.getRequestMethod())) {
      exchange.getResponseHeaders().set("allow", "POST");
      write(exchange, Answers.empty(405));
      return;
    }
    byte[] body = readBody(exchange);
    if (body == null) {
      write(exchange, Answers.tooLarge());
      return;
    }
    write(exchange, Answers.handling(exchange.getRequestURI().getPath(), () -> call.answer(body)));
  }

  /** The body, or null if it is longer than {@link #MAX_BODY_BYTES}. */
  private static byte[] readBody(HttpExchange exchange) throws IOException {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
      return body.length > MAX_BODY_BYTES ? null : body;
    }
  }
}
