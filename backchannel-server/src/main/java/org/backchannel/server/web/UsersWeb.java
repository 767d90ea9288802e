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
 * their password), a new link for someone who lost theirs, and changing roles.
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
  }

  private void people(Context ctx, Web.Session s) {
    Directory.requireAdmin(s.user());
    String link = shown.take(s, ctx.queryParam("shown")).orElse(null);
    String notice = null;
    Long who = Web.optionalLong(ctx, "user");
    List<User> people = bc.directory().users(s.user());
    User person =
        who == null ? null : people.stream().filter(u -> u.id() == who).findFirst().orElse(null);
    if (link != null && person != null) {
      link = base(ctx) + "/setup/" + link;
    } else {
      link = null;
    }
    if ("1".equals(ctx.queryParam("role")) && person != null) {
      notice = person.name() + " is now " + role(person.role()) + ".";
    }
    html(ctx, 200, Pages.layout(s, "People", page(s, people, person, link, notice)));
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

  /** Where this server was reached, for a link the admin passes on. */
  private static String base(Context ctx) {
    return ctx.scheme() + "://" + ctx.host();
  }

  // ---- HTML

  private static String page(
      Web.Session s, List<User> people, User person, String link, String notice) {
    StringBuilder rows = new StringBuilder();
    for (User u : people) {
      StringBuilder roles = new StringBuilder();
      for (User.Role r : User.Role.values()) {
        roles.append(Pages.option(role(r), role(r), r == u.role()));
      }
      String label = esc(u.name());
      rows.append(
          """
          <tr id="person-%d"><td>%s%s</td><td>%s</td><td>
            <form method="post" action="/ui/people/%d/role" class="inline">%s
              <select name="role" aria-label="Role of %s">%s</select>
              <button type="submit" class="secondary" aria-label="Change role of %s">Change</button>
            </form></td>
            <td>%s</td>
            <td><form method="post" action="/ui/people/%d/setup-link">%s<button type="submit" class="secondary" aria-label="New setup link for %s">New setup link</button></form></td></tr>
          """
              .formatted(
                  u.id(),
                  label,
                  u.id() == s.user().id() ? " <span class=\"who-you\">(you)</span>" : "",
                  esc(u.email()),
                  u.id(),
                  DashboardPages.csrf(s),
                  label,
                  roles,
                  label,
                  Pages.time(u.createdAt()),
                  u.id(),
                  DashboardPages.csrf(s),
                  label));
    }
    String once =
        link == null
            ? ""
            : DashboardPages.shownOnce(
                "Setup link for " + person.name(),
                link,
                "Send it to " + person.email() + ": it works once, within 24 hours.");
    return """
        <h1>People</h1>
        %s%s
        <div class="scroll"><table class="people">
          <thead><tr><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Role</th><th scope="col">Added</th><th scope="col"><span class="sr-only">Sign-in</span></th></tr></thead>
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
          <p class="help">They get a one-time link to choose a password. Deactivating people is not supported yet.</p>
        </section>
        """
        .formatted(
            once,
            notice == null ? "" : DashboardPages.notice(notice),
            rows,
            DashboardPages.csrf(s));
  }
}
