package org.backchannel.core.oauth;

import java.time.InstantSource;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.store.Store;
import org.backchannel.core.workspace.Directory;

/**
 * People's grants as they see and control them: their own, a flow's, and (for admins) every grant,
 * the record of grants and revocations, the workspace's install policy and the app directory.
 */
public final class Grants {
  private final Store store;
  private final SecretBox box;
  private final Directory directory;
  private final InstantSource clock;

  public Grants(Store store, SecretBox box, Directory directory, InstantSource clock) {
    this.store = store;
    this.box = box;
    this.directory = directory;
    this.clock = clock;
  }
}
