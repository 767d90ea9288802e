package org.backchannel.core.oauth;

import java.time.InstantSource;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.store.Store;
import org.backchannel.core.workspace.Directory;

/**
 * The authorisation server's protocol logic: which client and redirect URI an authorisation request
 * names, the consent a person gives (a grant and a single-use code), and the token endpoint's
 * grants (authorization code with PKCE, refresh token with rotation and reuse detection) and
 * revocation (RFC 7009).
 */
public final class Authorizations {
  private final Store store;
  private final SecretBox box;
  private final Directory directory;
  private final InstantSource clock;

  public Authorizations(Store store, SecretBox box, Directory directory, InstantSource clock) {
    this.store = store;
    this.box = box;
    this.directory = directory;
    this.clock = clock;
  }
}
