package org.backchannel.core.oauth;

import java.util.List;
import org.backchannel.core.apps.App;
import org.backchannel.core.apps.Source;
import org.backchannel.core.workspace.Flow;
import org.backchannel.core.workspace.User;

/**
 * The apps of one flow, for its members: the sources that post into it and the grants that name it
 * (an app acting for one of its members), each with who added it.
 */
public record FlowApps(Flow flow, List<Posting> sources, List<GrantView> grants) {
  public FlowApps {
    sources = List.copyOf(sources);
    grants = List.copyOf(grants);
  }

  /**
   * A live source of the flow and who added it: the person whose grant the app made it under, or
   * null for one an admin made.
   */
  public record Posting(Source source, App app, User addedBy) {}
}
