package org.backchannel.sdk.servlet;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.util.List;
import java.util.function.Function;
import org.backchannel.sdk.Answer;
import org.backchannel.sdk.Answers;
import org.backchannel.sdk.AppSecret;
import org.backchannel.sdk.Event;
import org.backchannel.sdk.EventToken;
import org.backchannel.sdk.Events;
import org.backchannel.sdk.FlowdockToken;
import org.backchannel.sdk.JdkHttpHandlers;
import org.backchannel.sdk.StandardWebhooks;
import org.backchannel.sdk.UpdateActions;

/**
 * Jakarta Servlet 6 servlets for Backchannel's calls: each verifies the call with {@code
 * backchannel-sdk}, passes the typed call to the app's function and writes the {@link Answer} it
 * returns. One line mounts one, e.g. in Jetty:
 *
 * <pre>{@code
 * context.addServlet(BackchannelServlets.events(secrets, Clock.systemUTC(), event -> Answers.ok()), "/events");
 * }</pre>
 *
 * <p>As with {@code JdkHttpHandlers}: a call that fails verification gets 403 with {@code {"error":
 * "verification failed", "check": "<check>"}} and never reaches the app; a body over {@value
 * #MAX_BODY_BYTES} bytes gets 413; if the app's function throws, 500 with no detail; if it returns
 * null, 200.
 */
public final class BackchannelServlets {
  /** The largest request body the servlets read. */
  public static final int MAX_BODY_BYTES = JdkHttpHandlers.MAX_BODY_BYTES;

  private BackchannelServlets() {}

  /** App events POSTed to the event listener URL; see {@link Events#verify}. */
  public static HttpServlet events(
      List<AppSecret> secrets, Clock clock, Function<? super Event, Answer> app) {
    List<AppSecret> valid = List.copyOf(secrets);
    return servlet(
        true,
        (request, body) ->
            app.apply(
                Events.verify(valid, request.getHeader(EventToken.HEADER), body, clock.instant())));
  }

  /** Events opened in a widget or the browser, from the query; see {@link Events#verifyQuery}. */
  public static HttpServlet widget(
      List<AppSecret> secrets, Clock clock, Function<? super Events.WidgetEvent, Answer> app) {
    List<AppSecret> valid = List.copyOf(secrets);
    return servlet(
        false,
        (request, body) ->
            app.apply(Events.verifyQuery(valid, request.getQueryString(), clock.instant())));
  }

  /** UpdateAction calls (the {@value FlowdockToken#HEADER} header); see {@link UpdateActions}. */
  public static HttpServlet updateActions(
      List<AppSecret> secrets, Clock clock, Function<? super UpdateActions.Verified, Answer> app) {
    List<AppSecret> valid = List.copyOf(secrets);
    return servlet(
        false,
        (request, body) ->
            app.apply(
                UpdateActions.verify(
                    valid, request.getHeader(FlowdockToken.HEADER), body, clock.instant())));
  }

  /**
   * Any call signed with the Standard Webhooks headers, e.g. a workflow API call; the app gets the
   * verified body bytes. See {@link StandardWebhooks#verify}.
   */
  public static HttpServlet standardWebhooks(
      List<AppSecret> secrets, Clock clock, Function<byte[], Answer> app) {
    List<AppSecret> valid = List.copyOf(secrets);
    return servlet(
        false,
        (request, body) -> {
          StandardWebhooks.verify(
              request::getHeader, body, valid, clock.instant(), StandardWebhooks.DEFAULT_TOLERANCE);
          return app.apply(body);
        });
  }

  /** Writes {@code answer} to the response. */
  public static void write(HttpServletResponse response, Answer answer) throws IOException {
    response.setStatus(answer.status());
    answer.headers().forEach(response::setHeader);
    byte[] body = answer.body();
    if (body.length > 0) {
      response.setContentLength(body.length);
      try (OutputStream out = response.getOutputStream()) {
        out.write(body);
      }
    }
  }

  private interface Call {
    Answer answer(HttpServletRequest request, byte[] body);
  }

  private static HttpServlet servlet(boolean postOnly, Call call) {
    return new HttpServlet() {
      @Override
      protected void service(HttpServletRequest request, HttpServletResponse response)
          throws IOException {
        if (postOnly && !"POST".equalsIgnoreCase(request.getMethod())) {
          response.setHeader("allow", "POST");
          write(response, Answers.empty(405));
          return;
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
          body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
          write(response, Answers.tooLarge());
          return;
        }
        write(
            response, Answers.handling(request.getRequestURI(), () -> call.answer(request, body)));
      }
    };
  }
}
