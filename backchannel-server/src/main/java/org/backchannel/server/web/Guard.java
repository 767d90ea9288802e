package org.backchannel.server.web;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.backchannel.core.Problem;
import org.backchannel.core.accounts.WebAccounts;
import org.backchannel.core.security.Tokens;
import org.backchannel.core.workspace.User;
import org.backchannel.server.http.HttpProblem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every page of the web UI goes through: who is signed in (the session cookie), the CSRF token
 * of every form, the security headers, the live streams, and the HTML page a failed request gets.
 * Each {@link WebArea} is handed this and needs nothing else from the rest of the UI.
 */
public final class Guard {
  private static final Logger LOG = LoggerFactory.getLogger(Guard.class);
  static final String SESSION_COOKIE = "bc_session";
  static final String FORM_COOKIE = "bc_form";
  private static final Duration LIVE_POLL = Duration.ofMillis(500);
  private static final Duration LIVE_LIFETIME = Duration.ofSeconds(30);

  /**
   * Pages may add a {@code frame-src} to this, never loosen the rest; the consent page adds the
   * app's redirect URI to {@code form-action}, as its form's answer leads there.
   */
  static final String CSP =
      "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self';"
          + " frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

  private final WebAccounts accounts;
  private final Function<User, List<Attention.Disabled>> attention;
  private volatile boolean closed;

  public Guard(WebAccounts accounts) {
    this(accounts, user -> List.of());
  }

  /** With what every page shows an admin until it is dealt with (see {@link Web#guard}). */
  Guard(WebAccounts accounts, Function<User, List<Attention.Disabled>> attention) {
    this.accounts = accounts;
    this.attention = attention;
  }

  /** Whether a path belongs to the web UI, whose failures are pages rather than JSON. */
  public static boolean owns(String path) {
    return path.equals("/")
        || path.equals("/ui")
        || path.startsWith("/ui/")
        || path.equals("/login")
        || path.equals("/logout")
        || path.startsWith("/setup/")
        || path.equals(AuthorizeWeb.PATH);
  }

  @FunctionalInterface
  interface SignedIn {
    void handle(Context ctx, Session session) throws Exception;
  }

  @FunctionalInterface
  interface Body {
    void run(Context ctx) throws Exception;
  }

  /** A page anyone may open (sign-in, setup): the security headers, nothing more. */
  Handler open(Body body) {
    return ctx -> {
      headers(ctx);
      body.run(ctx);
    };
  }

  /**
   * A page for signed-in people. Someone signed out who opens a page goes to sign-in; a fragment
   * the page's script fetches gets 401, which the script acts on.
   */
  Handler signedIn(SignedIn handler) {
    return ctx -> {
      headers(ctx);
      Optional<Session> session = session(ctx);
      if (session.isEmpty()) {
        if (ctx.method() == HandlerType.GET && !Requests.fromScript(ctx)) {
          ctx.redirect(signInPath(ctx), HttpStatus.SEE_OTHER);
        } else {
          html(ctx, 401, message("Signed out", "Your session has ended. Sign in again."));
        }
        return;
      }
      handler.handle(ctx, session.get());
    };
  }

  /** Who is signed in on this request, if anyone: for a page that also serves people signed out. */
  Optional<Session> session(Context ctx) {
    String id = ctx.cookie(SESSION_COOKIE);
    Optional<User> user = accounts.sessionUser(id);
    // The first full page drawn tells of failed sign-ins with the person's email.
    return user.map(
        u -> new Session(u, id, () -> accounts.failedSignIns(u), () -> attention.apply(u)));
  }

  /** The sign-in page, which leads back to this page once the person has signed in. */
  static String signInPath(Context ctx) {
    String query = ctx.queryString();
    String here = ctx.path() + (query == null || query.isEmpty() ? "" : "?" + query);
    return "/login?next=" + URLEncoder.encode(here, StandardCharsets.UTF_8);
  }

  /**
   * {@code next} if it is a path of this server to go on to after signing in, else null: never
   * another host ({@code //host}, {@code /\host}) or anything a header could not carry.
   */
  static String localPath(String next) {
    if (next == null
        || next.length() > 4000
        || !next.startsWith("/")
        || next.startsWith("//")
        || next.startsWith("/\\")
        || next.chars().anyMatch(c -> c < 0x21 || c == 0x7f)) {
      return null;
    }
    return next;
  }

  private static void headers(Context ctx) {
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "same-origin");
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("Cache-Control", "no-store");
  }

  /**
   * The page a failed request of the web UI gets: a refused one says why with its status; anything
   * else is logged and shown as a 500 page that says nothing of the cause.
   */
  public void failed(Context ctx, Exception e) {
    headers(ctx);
    if (e instanceof Problem p) {
      HttpProblem problem = HttpProblem.of(p);
      String text = problem.hasFields() ? problem.reasons() : problem.message();
      html(ctx, problem.status(), message(title(problem.status()), text));
      return;
    }
    Integer unreadable = HttpProblem.unreadable(e);
    if (unreadable != null) {
      LOG.info("{} {} refused: {}", ctx.method(), ctx.path(), e.getMessage());
      html(ctx, unreadable, message(title(unreadable), "The request could not be read."));
      return;
    }
    if (e instanceof HttpResponseException refused && refused.getStatus() < 500) {
      // the router's own refusals (no such page, wrong method, too large) as a page
      html(ctx, refused.getStatus(), message(title(refused.getStatus()), refused.getMessage()));
      return;
    }
    LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
    html(
        ctx, 500, message("Something went wrong", "The page could not be shown. Try again later."));
  }

  /** A page of a title and a sentence, with a way back to the workspace. */
  static Render.Template message(String title, String text) {
    return (out, in) -> JtemessageGenerated.render(out, in, title, text);
  }

  private static String title(int status) {
    return switch (status) {
      case 401 -> "Signed out";
      case 403 -> "Not allowed";
      case 404 -> "Not found";
      case 409 -> "Cannot do that now";
      default -> "That did not work";
    };
  }

  /** Answers with a page rendered from its template. */
  static void html(Context ctx, int status, Render.Template page) {
    html(ctx, status, Render.html(page));
  }

  static void html(Context ctx, int status, String body) {
    ctx.status(status).contentType("text/html; charset=utf-8").result(body);
  }

  // ---- forms

  /** Refuses a form of a signed-in page that does not carry the session's CSRF token. */
  void requireCsrf(Context ctx, Session s) {
    if (!same(s.csrf(), ctx.formParam("csrf"))) {
      throw new Problem.Forbidden("the form has expired; reload the page and try again");
    }
  }

  /**
   * A form token for pages shown before sign-in (double submit): a random value in a cookie and the
   * same value in the form, compared in constant time on POST.
   */
  String formToken(Context ctx) {
    String token = ctx.cookie(FORM_COOKIE);
    if (token == null || token.length() != 64) {
      token = Tokens.hex(32);
      cookie(ctx, FORM_COOKIE, token, Duration.ofHours(1));
    }
    return token;
  }

  void requireFormToken(Context ctx) {
    String cookie = ctx.cookie(FORM_COOKIE);
    if (cookie == null || cookie.isEmpty() || !same(cookie, ctx.formParam("csrf"))) {
      throw new Problem.Forbidden("the form has expired; reload the page and try again");
    }
  }

  static boolean same(String expected, String given) {
    if (given == null) {
      return false;
    }
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }

  // ---- sessions

  /** Signs the person in on this browser and sends them to the workspace. */
  void startSession(Context ctx, User user) {
    startSession(ctx, user, null);
  }

  /** Signs the person in and sends them on to {@code next}, a local path, or the workspace. */
  void startSession(Context ctx, User user, String next) {
    String id = accounts.startSession(user);
    cookie(ctx, SESSION_COOKIE, id, WebAccounts.SESSION_LIFETIME);
    cookie(ctx, FORM_COOKIE, "", Duration.ZERO);
    String to = localPath(next);
    ctx.redirect(to == null ? "/ui" : to, HttpStatus.SEE_OTHER);
  }

  void endSession(Context ctx, Session s) {
    accounts.endSession(s.id());
    cookie(ctx, SESSION_COOKIE, "", Duration.ZERO);
    ctx.redirect("/login", HttpStatus.SEE_OTHER);
  }

  private static void cookie(Context ctx, String name, String value, Duration maxAge) {
    boolean https =
        "https".equalsIgnoreCase(ctx.scheme())
            || "https".equalsIgnoreCase(ctx.header("X-Forwarded-Proto"));
    ctx.res()
        .addHeader(
            "Set-Cookie",
            name
                + "="
                + value
                + "; Path=/; Max-Age="
                + maxAge.toSeconds()
                + "; HttpOnly; SameSite=Lax"
                + (https ? "; Secure" : ""));
  }

  // ---- live streams

  /** Refuses a flow the person may not see, as every page does. */
  @FunctionalInterface
  interface Access {
    void check(User user, long flowId);
  }

  /** What a live stream watches in a flow: a value that changes whenever the page part does. */
  @FunctionalInterface
  interface Version {
    String of(User user, long flowId);
  }

  /**
   * Server-sent events: the flow's version now and whenever it changes. The page fetches its part
   * again when the version differs from the one it shows. A stream lasts 30 s; the browser
   * reconnects by itself, so a stopping server is never held up for long.
   */
  SseHandler live(Access access, Version version) {
    return new SseHandler(client -> live(client, access, version));
  }

  private void live(SseClient client, Access access, Version version) {
    Context ctx = client.ctx();
    try {
      Long flowId = null; // read and checked once the session is known, as every page does
      String last = null;
      long until = System.nanoTime() + LIVE_LIFETIME.toNanos();
      while (!closed && !client.terminated() && System.nanoTime() < until) {
        // Checked on every poll: a session ended meanwhile (signed out, or the person deactivated)
        // stops the stream at once rather than when it would have ended anyway.
        Optional<User> user = accounts.sessionUser(ctx.cookie(SESSION_COOKIE));
        if (user.isEmpty()) {
          client.sendEvent("signed-out", "");
          break;
        }
        if (flowId == null) {
          flowId = Requests.id(ctx, "id");
          access.check(user.get(), flowId);
        }
        String now = version.of(user.get(), flowId);
        if (!now.equals(last)) {
          client.sendEvent("version", now);
          last = now;
        } else {
          client.sendComment("");
        }
        Thread.sleep(LIVE_POLL);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Problem e) {
      client.sendEvent("error", e.getMessage());
    } catch (RuntimeException e) {
      if (!closed) {
        throw e;
      }
      // The server is stopping and its store may already be closed: end the stream quietly.
    }
    client.close();
  }

  /** Ends open live streams; the browser reconnects to whichever server answers next. */
  public void close() {
    closed = true;
  }
}
