package org.backchannel.server.web;

import static org.backchannel.server.web.Guard.html;
import static org.backchannel.server.web.Requests.id;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.List;
import org.backchannel.core.oauth.GrantEventView;
import org.backchannel.core.oauth.GrantView;
import org.backchannel.core.oauth.Grants;
import org.backchannel.core.oauth.InstallPolicy;
import org.backchannel.core.wiring.Backchannel;
import org.backchannel.core.workspace.Directory;

/**
 * The apps people authorised, as they see and control them: each person's "Authorized apps", the
 * app directory everyone may add from, and for admins "App installs" (the install policy, every
 * grant, the record of who did what).
 */
final class GrantsWeb implements WebArea {
  /** How much of the record the installs page shows. */
  static final int RECORD = 100;

  private final Backchannel bc;
  private Guard guard;

  GrantsWeb(Backchannel bc) {
    this.bc = bc;
  }

  @Override
  public void register(RoutesConfig r, Guard guard) {
    this.guard = guard;
    r.get("/ui/account/apps", guard.signedIn(this::authorized));
    r.post("/ui/account/apps/{id}/revoke", guard.signedIn(this::revokeMine));
    r.get("/ui/apps/directory", guard.signedIn(this::directory));
    r.get("/ui/apps/installs", guard.signedIn(this::installs));
    r.post("/ui/apps/installs/policy", guard.signedIn(this::setPolicy));
    r.post("/ui/apps/installs/{id}/revoke", guard.signedIn(this::revoke));
  }

  private void authorized(Context ctx, Session s) {
    List<GrantView> grants = bc.grants().mine(s.user());
    String notice =
        "1".equals(ctx.queryParam("revoked"))
            ? "Revoked: the app can no longer act for you, and its sources stopped posting."
            : null;
    html(ctx, 200, (out, in) -> JteauthorizedAppsGenerated.render(out, in, s, grants, notice));
  }

  private void revokeMine(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    bc.grants().revokeMine(s.user(), id(ctx, "id"));
    ctx.redirect("/ui/account/apps?revoked=1", HttpStatus.SEE_OTHER);
  }

  private void directory(Context ctx, Session s) {
    var apps = bc.grants().directory(s.user());
    InstallPolicy policy = bc.grants().policy(s.user());
    html(ctx, 200, (out, in) -> JteappDirectoryGenerated.render(out, in, s, apps, policy));
  }

  private void installs(Context ctx, Session s) {
    Directory.requireAdmin(s.user());
    InstallPolicy policy = bc.grants().policy(s.user());
    List<GrantView> grants = bc.grants().all(s.user(), true);
    List<GrantEventView> record = bc.grants().events(s.user(), RECORD);
    String done = ctx.queryParam("done");
    String notice =
        switch (done == null ? "" : done) {
          case "policy" -> "Install policy saved: " + policyName(policy) + ".";
          case "revoked" -> "Grant revoked: its tokens and sources stopped at once.";
          default -> null;
        };
    html(
        ctx,
        200,
        (out, in) -> JteappInstallsGenerated.render(out, in, s, policy, grants, record, notice));
  }

  private void setPolicy(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    Directory.requireAdmin(s.user()); // before reading the form: members get 403, not 400
    bc.grants().setPolicy(s.user(), Grants.policy(ctx.formParam("install_policy")));
    ctx.redirect("/ui/apps/installs?done=policy", HttpStatus.SEE_OTHER);
  }

  private void revoke(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    bc.grants().revoke(s.user(), id(ctx, "id"));
    ctx.redirect("/ui/apps/installs?done=revoked", HttpStatus.SEE_OTHER);
  }

  /** The policies in the order the page offers them, with what each means. */
  record PolicyChoice(InstallPolicy policy, String name, String meaning) {}

  static final List<PolicyChoice> POLICIES =
      List.of(
          new PolicyChoice(
              InstallPolicy.ANY,
              "Any app",
              "People may authorise any app registered in this workspace."),
          new PolicyChoice(
              InstallPolicy.APPROVED,
              "Approved apps only",
              "People may authorise only the apps in the App directory."),
          new PolicyChoice(
              InstallPolicy.NONE,
              "None",
              "Nobody authorises apps by themselves: admins connect them by adding sources."));

  static String policyName(InstallPolicy policy) {
    return POLICIES.stream()
        .filter(p -> p.policy() == policy)
        .map(PolicyChoice::name)
        .findFirst()
        .orElseThrow();
  }

  /** What an entry of the record says happened, in words. */
  static String action(String action) {
    return switch (action) {
      case "granted" -> "authorised";
      case "revoked" -> "revoked";
      case "refresh_reused" -> "revoked: a refresh token was used twice";
      case "code_reused" -> "revoked: an authorisation code was used twice";
      default -> action;
    };
  }

  /** The flow a grant names, or what it reaches without one: every flow of its person. */
  static String flowName(GrantView g) {
    return g.flow() == null ? "all their flows" : g.flow().name();
  }
}
