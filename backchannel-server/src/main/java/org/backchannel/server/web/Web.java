package org.backchannel.server.web;

import java.time.InstantSource;
import java.util.List;
import org.backchannel.core.accounts.WebAccounts;
import org.backchannel.core.wiring.Backchannel;

/**
 * The areas of the web UI, rendered on the server from the templates in {@code src/main/jte}; a
 * small script adds live updates over server-sent events. The server registers each area with one
 * {@link Guard}.
 */
public final class Web {
  private Web() {}

  /** The guard of every page, which shows admins the workspace's disabled endpoints. */
  public static Guard guard(WebAccounts accounts, Backchannel bc) {
    return new Guard(accounts, user -> Attention.of(bc, user));
  }

  public static List<WebArea> areas(
      Backchannel bc, WebAccounts accounts, InstantSource clock, String publicUrl) {
    return List.of(
        new Assets(),
        new SignInWeb(accounts),
        new AuthorizeWeb(bc),
        new WorkspaceWeb(bc),
        new FlowBuilderWeb(bc), // before WorkflowsWeb: /ui/workflows/new is not a workflow id
        new WorkflowsWeb(bc),
        new ChatWeb(bc),
        new GrantsWeb(bc), // before DashboardWeb: /ui/apps/directory is not an app id
        new DashboardWeb(bc, clock),
        new UsersWeb(bc, accounts, clock, publicUrl));
  }
}
