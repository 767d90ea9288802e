package org.backchannel.core.oauth;

import java.util.List;

/**
 * An app's settings as an OAuth client: the exact URIs a person may be sent back to, whether it is
 * a public client (no secret at the token endpoint, so PKCE is required), whether admins approved
 * it for the workspace's directory, and how the directory presents it.
 */
public record OAuthClient(
    long appId,
    List<String> redirectUris,
    boolean publicClient,
    boolean approved,
    String description,
    String installUrl) {
  public OAuthClient {
    redirectUris = List.copyOf(redirectUris);
  }
}
