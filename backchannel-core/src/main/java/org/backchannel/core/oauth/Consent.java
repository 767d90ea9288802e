package org.backchannel.core.oauth;

import java.util.List;
import org.backchannel.core.apps.App;
import org.backchannel.core.workspace.Flow;
import org.backchannel.core.workspace.Scope;

/**
 * What the consent page shows a person for a valid authorisation request: the app, how it presents
 * itself, the scopes it asks for and, when one of them is flow-scoped, the flows the person may
 * pick from (those they are a member of; empty when they are in none, and then they cannot allow).
 */
public record Consent(
    App app, OAuthClient client, List<Scope> scopes, boolean needsFlow, List<Flow> flows) {
  public Consent {
    scopes = List.copyOf(scopes);
    flows = List.copyOf(flows);
  }
}
