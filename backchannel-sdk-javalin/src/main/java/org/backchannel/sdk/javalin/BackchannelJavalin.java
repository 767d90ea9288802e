package org.backchannel.sdk.javalin;

import io.javalin.http.Context;
import io.javalin.http.Handler;
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
 * Javalin handlers for Backchannel's calls: each verifies the call with {@code backchannel-sdk},
 * passes the typed call to the app's function and writes the {@link Answer} it returns. One line
 * mounts one:
 *
 * <pre>{@code
 * Javalin.create(c -> {
 *   c.routes.post("/events", BackchannelJavalin.events(secrets, Clock.systemUTC(), event -> Answers.ok()));
 *   c.routes.post("/assign", BackchannelJavalin.updateActions(secrets, Clock.systemUTC(), call -> Answers.ok()));
 * }).start(9000);
 * }</pre>
 *
 * <p>As with {@code JdkHttpHandlers}: a call that fails verification gets 403 with {@code {"error":
 * "verification failed", "check": "<check>"}} and never reaches the app; a body over {@value
 * #MAX_BODY_BYTES} bytes gets 413; if the app's function throws, 500 with no detail; if it returns
 * null, 200.
 */
public final class BackchannelJavalin {
  /** The largest request body the handlers accept. */
  public static final int MAX_BODY_BYTES = JdkHttpHandlers.MAX_BODY_BYTES;

  private BackchannelJavalin() {}

  /** App events POSTed to the event listener URL; see {@link Events#verify}. */
  public static Handler events(
      List<AppSecret> secrets, Clock clock, Function<? super Event, Answer> app) {
    List<AppSecret> valid = List.copyOf(secrets);
    return ctx ->
        handle(
            ctx,
            body ->
                app.apply(
                    Events.verify(valid, ctx.header(EventToken.HEADER), body, clock.instant())));
  }

  /** Events opened in a widget or the browser, from the query; see {@link Events#verifyQuery}. */
  public static Handler widget(
      List<AppSecret> secrets, Clock clock, Function<? super Events.WidgetEvent, Answer> app) {
    List<AppSecret> valid = List.copyOf(secrets);
    return ctx ->
        handle(
            ctx,
            body -> app.apply(Events.verifyParameters(valid, ctx::queryParam, clock.instant())));
  }

  /** UpdateAction calls (the {@value FlowdockToken#HEADER} header); see {@link UpdateActions}. */
  public static Handler updateActions(
      List<AppSecret> secrets, Clock clock, Function<? super UpdateActions.Verified, Answer> app) {
    List<AppSecret> valid = List.copyOf(secrets);
    return ctx ->
        handle(
            ctx,
            body ->
                app.apply(
                    UpdateActions.verify(
                        valid, ctx.header(FlowdockToken.HEADER), body, clock.instant())));
  }

  /**
   * Any call signed with the Standard Webhooks headers, e.g. a workflow API call; the app gets the
   * verified body bytes. See {@link StandardWebhooks#verify}.
   */
  public static Handler standardWebhooks(
      List<AppSecret> secrets, Clock clock, Function<byte[], Answer> app) {
    List<AppSecret> valid = List.copyOf(secrets);
    return ctx ->
        handle(
            ctx,
            body -> {
              StandardWebhooks.verify(
                  ctx::header, body, valid, clock.instant(), StandardWebhooks.DEFAULT_TOLERANCE);
              return app.apply(body);
            });
  }

  /** Writes {@code answer} to the context. */
  public static void write(Context ctx, Answer answer) {
    ctx.status(answer.status());
    answer.headers().forEach(ctx::header);
    byte[] body = answer.body();
    if (body.length > 0) {
      ctx.result(body);
    }
  }

  private interface Call {
    Answer answer(byte[] body);
  }

  private static void handle(Context ctx, Call call) {
    byte[] body = ctx.bodyAsBytes();
    if (body.length > MAX_BODY_BYTES) {
      write(ctx, Answers.tooLarge());
      return;
    }
    write(ctx, Answers.handling(ctx.path(), () -> call.answer(body)));
  }
}
