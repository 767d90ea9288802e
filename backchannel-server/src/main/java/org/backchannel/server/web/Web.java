package org.backchannel.server.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.backchannel.core.Backchannel;
import org.backchannel.core.PageRequest;
import org.backchannel.core.Problem;
import org.backchannel.core.security.Tokens;
import org.backchannel.core.store.Store;
import org.backchannel.core.threads.ActionResult;
import org.backchannel.core.threads.FlowThread;
import org.backchannel.core.workspace.Flow;
import org.backchannel.core.workspace.User;

/**
 * The web UI: sign-in, the workspace people act in, and (in sibling classes) the developer
 * dashboard and people pages for admins. Pages are rendered on the server by {@link Pages}; a small
 * script adds live updates over server-sent events.
 */
public final class Web {
  static final String SESSION_COOKIE = "bc_session";
  static final String FORM_COOKIE = "bc_form";
  private static final Duration LIVE_POLL = Duration.ofMillis(500);
  private static final Duration LIVE_LIFETIME = Duration.ofSeconds(30);

  /** Pages may add a {@code frame-src} to this, never loosen the rest. */
  static final String CSP =
      "default-src 'self'; img-src 'self' https: data:; style-src 'self'; script-src 'self';"
          + " frame-ancestors 'none'; form-action 'self'; base-uri 'none'";

  private static final Map<String, String> ASSETS =
      Map.of("app.css", "text/css; charset=utf-8", "app.js", "text/javascript; charset=utf-8");

  private final Backchannel bc;
  private final WebAccounts accounts;
  private volatile boolean closed;
  private final InstantSource clock;
  private final String publicUrl;

  /**
   * @param publicUrl the base of absolute links the UI shows; null means "where the request came
   *     in"
   */
  public Web(Backchannel bc, Store store, InstantSource clock, String publicUrl) {
    this.bc = bc;
    this.accounts = new WebAccounts(store, clock);
    this.clock = clock;
    this.publicUrl = publicUrl;
  }

  /** The base of an absolute link shown to someone who passes it on. */
  String baseUrl(Context ctx) {
    return publicUrl != null ? publicUrl : ctx.scheme() + "://" + ctx.host();
  }

  /** A signed-in person and their session's id, whose CSRF token every form carries. */
  record Session(User user, String id) {
    String csrf() {
      return WebAccounts.csrfToken(id);
    }
  }

  @FunctionalInterface
  interface SignedIn {
    void handle(Context ctx, Session session) throws Exception;
  }

  public void register(RoutesConfig r) {
    r.get("/ui/assets/{name}", this::asset);
    r.get("/login", ctx -> page(ctx, () -> signInPage(ctx, null, 200)));
    r.post("/login", ctx -> page(ctx, () -> signIn(ctx)));
    r.get("/setup/{token}", ctx -> page(ctx, () -> setupPage(ctx, null)));
    r.post("/setup/{token}", ctx -> page(ctx, () -> setup(ctx)));
    r.post("/logout", signedIn(this::signOut));
    r.get("/", ctx -> ctx.redirect("/ui", HttpStatus.SEE_OTHER));
    r.get("/ui", signedIn(this::home));
    r.get("/ui/flows/{id}", signedIn((ctx, s) -> renderFlow(ctx, s, id(ctx, "id"), null)));
    r.get("/ui/flows/{id}/threads", signedIn(this::threadsFragment));
    r.get("/ui/flows/{id}/events", live((user, flowId) -> Long.toString(version(user, flowId))));
    r.post("/ui/threads/{id}/actions/{index}", signedIn(this::selectAction));
    new WorkflowsWeb(bc, this).register(r);
    new ChatWeb(bc, this).register(r);
    new DashboardWeb(bc, clock, this).register(r);
    new UsersWeb(bc, accounts, clock, this).register(r);
  }

  // ---- sign-in

  private void signInPage(Context ctx, String error, int status) {
    String form = formToken(ctx);
    html(ctx, status, Pages.signIn(form, error, ctx.formParam("email")));
  }

  private void signIn(Context ctx) {
    requireFormToken(ctx);
    if (accounts.throttled(ctx.formParam("email"))) {
      signInPage(ctx, "Too many wrong passwords for this email. Try again in 15 minutes.", 429);
      return;
    }
    Optional<User> user = accounts.checkPassword(ctx.formParam("email"), ctx.formParam("password"));
    if (user.isEmpty()) {
      signInPage(ctx, "The email or password is not right.", 401);
      return;
    }
    startSession(ctx, user.get());
  }

  private void setupPage(Context ctx, String error) {
    Optional<User> user = accounts.setupUser(ctx.pathParam("token"));
    if (user.isEmpty()) {
      html(
          ctx,
          404,
          Pages.message(
              "Link not valid",
              "This setup link has been used or has expired. Ask an admin for a new one."));
      return;
    }
    html(ctx, error == null ? 200 : 400, Pages.setup(formToken(ctx), user.get(), error));
  }

  private void setup(Context ctx) {
    requireFormToken(ctx);
    try {
      User user =
          accounts.completeSetup(
              ctx.pathParam("token"), ctx.formParam("password"), ctx.formParam("repeat"));
      startSession(ctx, user);
    } catch (Problem.Invalid e) {
      setupPage(ctx, reasons(e));
    }
  }

  private void startSession(Context ctx, User user) {
    String id = accounts.startSession(user);
    cookie(ctx, SESSION_COOKIE, id, WebAccounts.SESSION_LIFETIME);
    cookie(ctx, FORM_COOKIE, "", Duration.ZERO);
    ctx.redirect("/ui", HttpStatus.SEE_OTHER);
  }

  private void signOut(Context ctx, Session s) {
    requireCsrf(ctx, s);
    accounts.endSession(s.id());
    cookie(ctx, SESSION_COOKIE, "", Duration.ZERO);
    ctx.redirect("/login", HttpStatus.SEE_OTHER);
  }

  // ---- workspace

  private void home(Context ctx, Session s) {
    List<Flow> flows = bc.directory().flows(s.user());
    if (flows.isEmpty()) {
      html(ctx, 200, Pages.layout(s, "Workspace", Pages.noFlows()));
      return;
    }
    ctx.redirect("/ui/flows/" + flows.getFirst().id(), HttpStatus.SEE_OTHER);
  }

  private String threads(Session s, long flowId) {
    var page = bc.threads().threads(s.user(), flowId, new PageRequest(null, null, 20));
    StringBuilder out = new StringBuilder();
    for (FlowThread t : page.items()) {
      var messages = bc.threads().threadMessages(s.user(), t.id(), new PageRequest(null, null, 20));
      out.append(Pages.thread(s, t, messages.items()));
    }
    return out.isEmpty() ? Pages.noThreads() : out.toString();
  }

  private void threadsFragment(Context ctx, Session s) {
    long flowId = id(ctx, "id");
    bc.directory().memberFlow(s.user(), flowId);
    html(ctx, 200, threads(s, flowId));
  }

  /** The newest message id in a flow: it changes whenever anything is posted there. */
  private long version(User user, long flowId) {
    var latest = bc.threads().flowMessages(user, flowId, new PageRequest(null, null, 1));
    return latest.items().isEmpty() ? 0 : latest.items().getFirst().id();
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
  SseHandler live(Version version) {
    return new SseHandler(client -> live(client, version));
  }

  private void live(SseClient client, Version version) {
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
          flowId = id(ctx, "id");
          bc.directory().memberFlow(user.get(), flowId);
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

  private void selectAction(Context ctx, Session s) {
    requireCsrf(ctx, s);
    long threadId = id(ctx, "id");
    long index = id(ctx, "index");
    FlowThread thread = bc.threads().thread(s.user(), threadId);
    ActionResult result =
        bc.threads().selectAction(s.user(), threadId, (int) Math.min(index, Integer.MAX_VALUE));
    String name = thread.data().actions().get((int) index).name();
    renderFlow(ctx, s, thread.flowId(), new Pages.Result(thread.data().title(), name, result));
  }

  private void renderFlow(Context ctx, Session s, long flowId, Pages.Result result) {
    Flow flow = bc.directory().memberFlow(s.user(), flowId);
    html(
        ctx,
        200,
        Pages.layout(
            s,
            flow.name(),
            Pages.workspace(
                bc.directory().flows(s.user()),
                flow,
                version(s.user(), flowId),
                threads(s, flowId),
                result)));
  }

  // ---- plumbing

  Handler signedIn(SignedIn handler) {
    return ctx ->
        page(
            ctx,
            () -> {
              String id = ctx.cookie(SESSION_COOKIE);
              Optional<User> user = accounts.sessionUser(id);
              if (user.isEmpty()) {
                // A page someone opens goes to sign-in; a fragment the page's script fetches
                // (marked by app.js) gets 401, which the script can act on.
                if (ctx.method() == HandlerType.GET && !fromScript(ctx)) {
                  ctx.redirect("/login", HttpStatus.SEE_OTHER);
                } else {
                  html(
                      ctx,
                      401,
                      Pages.message("Signed out", "Your session has ended. Sign in again."));
                }
                return;
              }
              handler.handle(ctx, new Session(user.get(), id));
            });
  }

  @FunctionalInterface
  interface Body {
    void run() throws Exception;
  }

  /** Runs a page, turning a refused request into an HTML page with its status. */
  static void page(Context ctx, Body body) throws Exception {
    ctx.header("X-Frame-Options", "DENY");
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "same-origin");
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("Cache-Control", "no-store");
    try {
      body.run();
    } catch (Problem.Invalid e) {
      html(ctx, 400, Pages.message("That did not work", reasons(e)));
    } catch (Problem.NotFound e) {
      html(ctx, 404, Pages.message("Not found", e.getMessage()));
    } catch (Problem.Forbidden e) {
      html(ctx, 403, Pages.message("Not allowed", e.getMessage()));
    } catch (Problem.Conflict e) {
      html(ctx, 409, Pages.message("Cannot do that now", e.getMessage()));
    } catch (Problem.Unauthorized e) {
      html(ctx, 401, Pages.message("Signed out", e.getMessage()));
    }
  }

  /**
   * A form token for pages shown before sign-in (double submit): a random value in a cookie and the
   * same value in the form, compared in constant time on POST.
   */
  private static String formToken(Context ctx) {
    String token = ctx.cookie(FORM_COOKIE);
    if (token == null || token.length() != 64) {
      token = Tokens.hex(32);
      cookie(ctx, FORM_COOKIE, token, Duration.ofHours(1));
    }
    return token;
  }

  private static void requireFormToken(Context ctx) {
    String cookie = ctx.cookie(FORM_COOKIE);
    if (cookie == null || cookie.isEmpty() || !same(cookie, ctx.formParam("csrf"))) {
      throw new Problem.Forbidden("the form has expired; reload the page and try again");
    }
  }

  static void requireCsrf(Context ctx, Session s) {
    if (!same(s.csrf(), ctx.formParam("csrf"))) {
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

  private void asset(Context ctx) {
    String name = ctx.pathParam("name");
    String type = ASSETS.get(name);
    if (type == null) {
      ctx.status(404).result("no such asset");
      return;
    }
    try (InputStream in = Web.class.getResourceAsStream("/web/" + name)) {
      ctx.header("Cache-Control", "max-age=300");
      ctx.contentType(type).result(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String reasons(Problem.Invalid e) {
    return String.join(
        "; ",
        e.errors().entrySet().stream()
            .map(x -> x.getKey() + " " + String.join(", ", x.getValue()))
            .toList());
  }

  /** Whether the page's own script sent this request (app.js marks every fetch it makes). */
  static boolean fromScript(Context ctx) {
    return "fetch".equals(ctx.header("X-Requested-With"));
  }

  static void html(Context ctx, int status, String body) {
    ctx.status(status).contentType("text/html; charset=utf-8").result(body);
  }

  static long id(Context ctx, String name) {
    try {
      long value = Long.parseLong(ctx.pathParam(name));
      if (value < 0) {
        throw new NumberFormatException();
      }
      return value;
    } catch (NumberFormatException e) {
      throw new Problem.NotFound(name + " " + ctx.pathParam(name));
    }
  }

  static Long optionalLong(Context ctx, String name) {
    String raw = blankToNull(ctx.queryParam(name));
    if (raw == null) {
      return null;
    }
    try {
      return Long.parseLong(raw);
    } catch (NumberFormatException e) {
      throw Problem.Invalid.of(name, "must be a whole number");
    }
  }

  static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
