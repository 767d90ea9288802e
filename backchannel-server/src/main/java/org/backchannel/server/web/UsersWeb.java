package org.backchannel.server.web;

import static org.backchannel.server.web.Html.esc;
import static org.backchannel.server.web.Web.blankToNull;
import static org.backchannel.server.web.Web.html;
import static org.backchannel.server.web.Web.id;
import static org.backchannel.server.web.Web.requireCsrf;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import org.backchannel.core.Backchannel;
import org.backchannel.core.Problem;
import org.backchannel.core.workspace.Directory;
import org.backchannel.core.workspace.User;

/**
 * People, for admins: who is in the workspace, adding someone (who gets a one-time link to choose
 * their password), a new link for someone who lost theirs, changing roles, and deactivating someone
 * who has left (or letting them back in).
 */
final class UsersWeb {
  private final Backchannel bc;
  private final WebAccounts accounts;
  private final Web web;
  private final ShownOnce shown;

  UsersWeb(Backchannel bc, WebAccounts accounts, InstantSource clock, Web web) {
    this.bc = bc;
    this.accounts = accounts;
    this.web = web;
    this.shown = new ShownOnce(clock);
  }

  void register(RoutesConfig r) {
    r.get("/ui/people", web.signedIn(this::people));
    r.post("/ui/people", web.signedIn(this::add));
    r.post("/ui/people/{id}/role", web.signedIn(this::changeRole));
    r.post("/ui/people/{id}/setup-link", web.signedIn(this::newLink));
    r.post("/ui/people/{id}/deactivate", web.signedIn(this::deactivate));
    r.post("/ui/people/{id}/reactivate", web.signedIn(this::reactivate));
  }

  private void people(Context ctx, Web.Session s) {
    Directory.requireAdmin(s.user());
    String link = shown.take(s, ctx.queryParam("shown")).orElse(null);
    String notice = null;
    Long who = Web.optionalLong(ctx, "user");
    List<User> people = bc.directory().users(s.user());
    User person =
        who == null ? null : people.stream().filter(u -> u.id() == who).findFirst().orElse(null);
    String once = null;
    if (link != null && person != null) {
      once =
          "1".equals(ctx.queryParam("reactivated"))
              ? DashboardPages.shownOnce(
                  "API token for " + person.name(),
                  link,
                  "Their old token no longer works; give them this one if they use the API.")
              : DashboardPages.shownOnce(
                  "Setup link for " + person.name(),
                  web.baseUrl(ctx) + "/setup/" + link,
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
    html(ctx, 200, Pages.layout(s, "People", page(s, people, once, notice)));
  }

  private void add(Context ctx, Web.Session s) {
    requireCsrf(ctx, s);
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

  private void newLink(Context ctx, Web.Session s) {
    requireCsrf(ctx, s);
    Directory.requireAdmin(s.user());
    linkFor(ctx, s, bc.directory().userInWorkspace(s.user(), id(ctx, "id")));
  }

  private void linkFor(Context ctx, Web.Session s, User user) {
    String token = accounts.newSetupLink(user.workspaceId(), user.email());
    String key = shown.keep(s, token);
    ctx.redirect("/ui/people?user=" + user.id() + "&shown=" + key, HttpStatus.SEE_OTHER);
  }

  private void changeRole(Context ctx, Web.Session s) {
    requireCsrf(ctx, s);
    Directory.requireAdmin(s.user());
    User user = bc.directory().changeRole(s.user(), id(ctx, "id"), role(ctx.formParam("role")));
    ctx.redirect("/ui/people?user=" + user.id() + "&role=1", HttpStatus.SEE_OTHER);
  }

  private void deactivate(Context ctx, Web.Session s) {
    requireCsrf(ctx, s);
    User user = bc.directory().deactivate(s.user(), id(ctx, "id"));
    ctx.redirect("/ui/people?user=" + user.id() + "&deactivated=1", HttpStatus.SEE_OTHER);
  }

  private void reactivate(Context ctx, Web.Session s) {
    requireCsrf(ctx, s);
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

  private static String role(User.Role role) {
    return role.name().toLowerCase(Locale.ROOT);
  }

  // ---- HTML

  private static String page(Web.Session s, List<User> people, String once, String notice) {
    StringBuilder rows = new StringBuilder();
    for (User u : people) {
      rows.append(row(s, u));
    }
    return """
        <h1>People</h1>
        %s%s
        <div class="scroll"><table class="people">
          <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Added</th><th scope="col"><span class="sr-only">Sign-in</span></th><th scope="col">Access</th></tr></thead>
          <tbody>%s</tbody>
        </table></div>
        <section class="panel" aria-labelledby="new-person">
          <h2 id="new-person">Add a person</h2>
          <form method="post" action="/ui/people" class="stack">
            %s
            <label>Name <input name="name" required maxlength="100" autocomplete="off"></label>
            <label>Email <input type="email" name="email" required maxlength="254" autocomplete="off"></label>
            <label>Role <select name="role" aria-label="Role"><option value="member" selected>member</option><option value="admin">admin</option></select></label>
            <button type="submit">Add person</button>
          </form>
          <p class="help">They get a one-time link to choose a password. Someone who leaves is deactivated, not deleted: they lose access at once, and their name stays on what they did.</p>
        </section>
        """
        .formatted(
            once == null ? "" : once,
            notice == null ? "" : DashboardPages.notice(notice),
            rows,
            DashboardPages.csrf(s));
  }

  private static String row(Web.Session s, User u) {
    String label = esc(u.name());
    String csrf = DashboardPages.csrf(s);
    boolean you = u.id() == s.user().id();
    String name =
        label
            + (you ? " <span class=\"who-you\">(you)</span>" : "")
            + (u.isActive() ? "" : " <span class=\"badge off\">deactivated</span>");
    if (!u.isActive()) {
      // Nothing to manage but letting them back in: no role, no setup link.
      return """
          <tr id="person-%d" class="deactivated"><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td></td>
            <td><span class="who-you">Deactivated %s</span>
            <form method="post" action="/ui/people/%d/reactivate" class="inline">%s<button type="submit" class="secondary" aria-label="Reactivate %s">Reactivate</button></form></td></tr>
          """
          .formatted(
              u.id(),
              name,
              esc(u.email()),
              role(u.role()),
              Pages.time(u.createdAt()),
              Pages.time(u.deactivatedAt()),
              u.id(),
              csrf,
              label);
    }
    StringBuilder roles = new StringBuilder();
    for (User.Role r : User.Role.values()) {
      roles.append(Pages.option(role(r), role(r), r == u.role()));
    }
    String deactivate =
        you
            ? ""
            : """
                <form method="post" action="/ui/people/%d/deactivate">%s<button type="submit" class="danger" aria-label="Deactivate %s">Deactivate</button></form>"""
                .formatted(u.id(), csrf, label);
    return """
        <tr id="person-%d"><td>%s</td><td>%s</td><td>
          <form method="post" action="/ui/people/%d/role" class="inline">%s
            <select name="role" aria-label="Role of %s">%s</select>
            <button type="submit" class="secondary" aria-label="Change role of %s">Change</button>
          </form></td>
          <td>%s</td>
          <td><form method="post" action="/ui/people/%d/setup-link">%s<button type="submit" class="secondary" aria-label="New setup link for %s">New setup link</button></form></td>
          <td>Active%s</td></tr>
        """
        .formatted(
            u.id(),
            name,
            esc(u.email()),
            u.id(),
            csrf,
            label,
            roles,
            label,
            Pages.time(u.createdAt()),
            u.id(),
            csrf,
            label,
            deactivate);
  }
}
