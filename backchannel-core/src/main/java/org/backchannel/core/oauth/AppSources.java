package org.backchannel.core.oauth;

import java.time.InstantSource;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.store.Store;
import org.backchannel.core.workspace.Directory;

/**
 * Sources the Flowdock way: an app with a flow:post grant makes its own source in the grant's flow
 * and receives its flow token once; it lists and deletes its own sources there.
 */
public final class AppSources {
  private final Store store;
  private final SecretBox box;
  private final Directory directory;
  private final InstantSource clock;

  public AppSources(Store store, SecretBox box, Directory directory, InstantSource clock) {
    this.store = store;
    this.box = box;
    this.directory = directory;
    this.clock = clock;
  }
}
