package org.backchannel.server.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import java.time.Duration;
import java.util.Optional;
import org.backchannel.core.Problem;
import org.backchannel.core.accounts.WebAccounts;
import org.backchannel.core.workspace.User;
import org.backchannel.server.http.HttpProblem;

/** Signing in with a password, choosing one with a setup link, and signing out. */
final class SignInWeb implements WebArea {
  private final WebAccounts accounts;
  private Guard guard;

  SignInWeb(WebAccounts accounts) {
    this.accounts = accounts;
  }

  @Override
  public void register(RoutesConfig r, Guard guard) {
    this.guard = guard;
    r.get("/login", guard.open(ctx -> signInPage(ctx, null, 200)));
    r.post("/login", guard.open(this::signIn));
    r.get("/setup/{token}", guard.open(ctx -> setupPage(ctx, null)));
    r.post("/setup/{token}", guard.open(this::setup));
    r.post("/logout", guard.signedIn(this::signOut));
  }

  private void signInPage(Context ctx, String error, int status) {
    String form = guard.formToken(ctx);
    String email = ctx.formParam("email");
    // Where to go once signed in (a page that sent the person here), kept through a retry.
    String next =
        Guard.localPath(
            ctx.method() == HandlerType.POST ? ctx.formParam("next") : ctx.queryParam("next"));
    Guard.html(
        ctx, status, (out, in) -> JtesignInGenerated.render(out, in, form, error, email, next));
  }

  private void signIn(Context ctx) {
    guard.requireFormToken(ctx);
    Optional<Duration> wait = accounts.throttled(ctx.ip(), ctx.formParam("email"));
    if (wait.isPresent()) {
      long seconds = Math.max(1, wait.get().toSeconds());
      ctx.header("Retry-After", Long.toString(seconds));
      signInPage(
          ctx,
          "Too many wrong passwords from here. Try again in "
              + (seconds < 120 ? seconds + " seconds." : (seconds + 59) / 60 + " minutes."),
          429);
      return;
    }
    Optional<User> user =
        accounts.checkPassword(ctx.ip(), ctx.formParam("email"), ctx.formParam("password"));
    if (user.isEmpty()) {
      signInPage(ctx, "The email or password is not right.", 401);
      return;
    }
    guard.startSession(ctx, user.get(), ctx.formParam("next"));
  }

  private void setupPage(Context ctx, String error) {
    Optional<User> user = accounts.setupUser(ctx.pathParam("token"));
    if (user.isEmpty()) {
      Guard.html(
          ctx,
          404,
          Guard.message(
              "Link not valid",
              "This setup link has been used or has expired. Ask an admin for a new one."));
      return;
    }
    String form = guard.formToken(ctx);
    Guard.html(
        ctx,
        error == null ? 200 : 400,
        (out, in) -> JtesetupGenerated.render(out, in, form, user.get(), error));
  }

  private void setup(Context ctx) {
    guard.requireFormToken(ctx);
    try {
      User user =
          accounts.completeSetup(
              ctx.pathParam("token"), ctx.formParam("password"), ctx.formParam("repeat"));
      guard.startSession(ctx, user);
    } catch (Problem.Invalid e) {
      setupPage(ctx, HttpProblem.of(e).reasons());
    }
  }

  private void signOut(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    guard.endSession(ctx, s);
  }
}
