package org.backchannel.server.web;

import java.time.Duration;
import java.util.List;
import org.backchannel.core.apps.App;
import org.backchannel.core.apps.Source;
import org.backchannel.core.delivery.Endpoint;
import org.backchannel.core.oauth.OAuthClient;
import org.backchannel.core.platform.Install;
import org.backchannel.core.platform.Registration;
import org.backchannel.core.platform.SecretState;
import org.backchannel.core.workspace.Flow;
import org.backchannel.core.workspace.User;

/**
 * What the developer dashboard shows (templates {@code apps.jte}, {@code app.jte}, {@code
 * sources.jte}, {@code endpoints.jte}, {@code deliveries.jte}, {@code delivery.jte}).
 */
final class DashboardPages {
  private DashboardPages() {}

  /** Everything the page of one app shows. */
  record AppView(
      App app,
      Registration registration,
      OAuthClient oauth,
      List<Install> installs,
      List<User> people,
      List<Source> sources,
      List<Flow> flows,
      List<Endpoint> endpoints,
      SecretState secretState,
      String secret,
      String what) {}

  /** Who installed an app: their name and email, or their id if they are not found. */
  static String installer(AppView v, Install i) {
    return v.people().stream()
        .filter(u -> u.id() == i.userId())
        .map(u -> u.name() + " (" + u.email() + ")")
        .findFirst()
        .orElse("user " + i.userId());
  }

  static String flowName(List<Flow> flows, long id) {
    return flows.stream()
        .filter(f -> f.id() == id)
        .map(Flow::name)
        .findFirst()
        .orElse("flow " + id);
  }

  static String duration(Duration d) {
    if (d.toDays() > 0 && d.toHours() % 24 == 0) {
      return d.toDays() == 1 ? "1 day" : d.toDays() + " days";
    }
    return d.toHours() == 1 ? "1 hour" : d.toHours() + " hours";
  }
}
