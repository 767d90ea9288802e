package org.backchannel.server.web;

import static org.backchannel.server.web.Guard.html;
import static org.backchannel.server.web.Requests.blankToNull;
import static org.backchannel.server.web.Requests.id;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import org.backchannel.core.Problem;
import org.backchannel.core.accounts.WebAccounts;
import org.backchannel.core.wiring.Backchannel;
import org.backchannel.core.workspace.Directory;
import org.backchannel.core.workspace.User;

/**
 * People, for admins: who is in the workspace, adding someone (who gets a one-time link to choose
 * their password), a new link for someone who lost theirs, changing roles, and deactivating someone
 * who has left (or letting them back in).
 */
final class UsersWeb implements WebArea {
  private final Backchannel bc;
  private final WebAccounts accounts;
  private Guard guard;
  private final ShownOnce shown;

  private final String publicUrl;

  /**
   * @param publicUrl the base of the links shown to pass on; null means "where the request came in"
   */
  UsersWeb(Backchannel bc, WebAccounts accounts, InstantSource clock, String publicUrl) {
    this.bc = bc;
    this.publicUrl = publicUrl;
    this.accounts = accounts;
    this.shown = new ShownOnce(clock);
  }

  @Override
  public void register(RoutesConfig r, Guard guard) {
    this.guard = guard;
    r.get("/ui/people", guard.signedIn(this::people));
    r.post("/ui/people", guard.signedIn(this::add));
    r.post("/ui/people/{id}/role", guard.signedIn(this::changeRole));
    r.post("/ui/people/{id}/setup-link", guard.signedIn(this::newLink));
    r.post("/ui/people/{id}/deactivate", guard.signedIn(this::deactivate));
    r.post("/ui/people/{id}/reactivate", guard.signedIn(this::reactivate));
  }

  /** A secret the people page shows once, with what it is and what to do with it. */
  record Once(String label, String secret, String note) {}

  private void people(Context ctx, Session s) {
    Directory.requireAdmin(s.user());
    String link = shown.take(s, ctx.queryParam("shown")).orElse(null);
    String notice = null;
    Long who = Requests.optionalLong(ctx, "user");
    List<User> people = bc.directory().users(s.user());
    User person =
        who == null ? null : people.stream().filter(u -> u.id() == who).findFirst().orElse(null);
    Once once = null;
    if (link != null && person != null) {
      once =
          "1".equals(ctx.queryParam("reactivated"))
              ? new Once(
                  "API token for " + person.name(),
                  link,
                  "Their old token no longer works; give them this one if they use the API.")
              : new Once(
                  "Setup link for " + person.name(),
                  baseUrl(ctx) + "/setup/" + link,
                  "Send it to " + person.email() + ": it works once, within 24 hours.");
    }
    if (person != null) {
      if ("1".equals(ctx.queryParam("role"))) {
        notice = person.name() + " is now " + role(person.role()) + ".";
      } else if ("1".equals(ctx.queryParam("deactivated")) && !person.isActive()) {
        notice =
            person.name()
                + " is deactivated: signed out everywhere, and their API token no longer works."
                + " What they did stays.";
      } else if ("1".equals(ctx.queryParam("reactivated")) && person.isActive()) {
        notice = person.name() + " can sign in again with their password.";
      }
    }
    Once shownOnce = once;
    String said = notice;
    html(ctx, 200, (out, in) -> JtepeopleGenerated.render(out, in, s, people, shownOnce, said));
  }

  private void add(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    Directory.requireAdmin(s.user());
    User.Role role = role(ctx.formParam("role"));
    // The API token made with the person is not shown: they sign in with the link, and can get a
    // token of their own from the API.
    User user =
        bc.directory()
            .createUser(s.user(), ctx.formParam("name"), ctx.formParam("email"), null, role)
            .value();
    linkFor(ctx, s, user);
  }

  private void newLink(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    Directory.requireAdmin(s.user());
    linkFor(ctx, s, bc.directory().userInWorkspace(s.user(), id(ctx, "id")));
  }

  private void linkFor(Context ctx, Session s, User user) {
    String token = accounts.newSetupLink(user.workspaceId(), user.email());
    String key = shown.keep(s, token);
    ctx.redirect("/ui/people?user=" + user.id() + "&shown=" + key, HttpStatus.SEE_OTHER);
  }

  private void changeRole(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    Directory.requireAdmin(s.user());
    User user = bc.directory().changeRole(s.user(), id(ctx, "id"), role(ctx.formParam("role")));
    ctx.redirect("/ui/people?user=" + user.id() + "&role=1", HttpStatus.SEE_OTHER);
  }

  private void deactivate(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    User user = bc.directory().deactivate(s.user(), id(ctx, "id"));
    ctx.redirect("/ui/people?user=" + user.id() + "&deactivated=1", HttpStatus.SEE_OTHER);
  }

  private void reactivate(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    var created = bc.directory().reactivate(s.user(), id(ctx, "id"));
    String key = shown.keep(s, created.secret());
    ctx.redirect(
        "/ui/people?user=" + created.value().id() + "&reactivated=1&shown=" + key,
        HttpStatus.SEE_OTHER);
  }

  private static User.Role role(String raw) {
    String r = blankToNull(raw);
    if (r != null) {
      for (User.Role role : User.Role.values()) {
        if (role.name().equalsIgnoreCase(r.strip())) {
          return role;
        }
      }
    }
    throw Problem.Invalid.of("role", "must be admin or member");
  }

  static String role(User.Role role) {
    return role.name().toLowerCase(Locale.ROOT);
  }

  /** Where people reach this server, for a link the admin passes on. */
  private String baseUrl(Context ctx) {
    return publicUrl != null ? publicUrl : ctx.scheme() + "://" + ctx.host();
  }
}
