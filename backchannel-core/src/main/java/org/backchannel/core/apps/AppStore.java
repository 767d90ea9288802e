package org.backchannel.core.apps;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Storage of apps, their encrypted secrets, and sources (hashed flow tokens). */
public interface AppStore {
  /** Inserts an app; fails with a conflict on a duplicate client id. */
  App insertApp(
      long workspaceId, String name, String clientId, String secretCiphertext, Instant now);

  Optional<App> app(long id);

  List<App> apps(long workspaceId);

  /** The app's secret as stored: encrypted at rest. */
  String appSecretCiphertext(long appId);

  Source insertSource(long appId, long flowId, String name, String tokenHash, Instant now);

  Optional<Source> source(long id);

  /** The live (not revoked) source whose flow token hashes to {@code tokenHash}. */
  Optional<Source> sourceByTokenHash(String tokenHash);

  List<Source> sources(long workspaceId);

  /** Revokes a source; returns whether it was live. */
  boolean revokeSource(long sourceId, Instant now);

  /** The app's client id and every secret that signs for it at {@code now}, in one read. */
  SealedSecrets sealedSecrets(long appId, Instant now);

  /** The app's pending secret as stored (encrypted): issued by a rotation, not yet activated. */
  Optional<String> pendingSecretCiphertext(long appId);
}
