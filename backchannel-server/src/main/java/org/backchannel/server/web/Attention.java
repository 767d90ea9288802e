package org.backchannel.server.web;

import java.util.List;
import org.backchannel.core.apps.App;
import org.backchannel.core.delivery.Endpoint;
import org.backchannel.core.wiring.Backchannel;
import org.backchannel.core.workspace.User;

/**
 * What an admin is shown at the top of every page until it is dealt with: the workspace's disabled
 * endpoints. Read afresh for each page drawn, so a disabling shows on the next page an admin opens.
 */
final class Attention {
  private Attention() {}

  /** A disabled endpoint with the name of its app. */
  record Disabled(Endpoint endpoint, String appName) {}

  static List<Disabled> of(Backchannel bc, User user) {
    List<Endpoint> disabled = bc.deliveries().disabledEndpoints(user);
    if (disabled.isEmpty()) {
      return List.of(); // the usual case costs one small read
    }
    List<App> apps = bc.apps().apps(user);
    return disabled.stream().map(e -> new Disabled(e, Pages.appName(apps, e.appId()))).toList();
  }
}
