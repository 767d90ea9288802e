package org.backchannel.core.platform;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.backchannel.core.PageRequest;

/**
 * Storage of app registrations, installs and chat messages; reached through {@code Tx.platform()}.
 */
public interface PlatformStore {
  Optional<Registration> registration(long appId);

  /** Writes an app's listener URL, URL patterns and controls, keeping its secret state. */
  Registration saveRegistration(
      long appId,
      String eventListenerUrl,
      List<String> urlPatterns,
      List<Control> controls,
      Instant now);

  /**
   * Keeps {@code ciphertext} as the app's pending secret, replacing any pending one; the current
   * secret is left as it is.
   */
  void setPendingSecret(long appId, String ciphertext, Instant now);

  /**
   * Makes the pending secret {@code pendingCiphertext} the app's current one. The one it replaces
   * is kept as the previous secret until {@code previousExpiresAt}, or forgotten when both are
   * null. False, and nothing changed, if {@code pendingCiphertext} is no longer the pending one.
   */
  boolean activateSecret(
      long appId, String pendingCiphertext, String previousCiphertext, Instant previousExpiresAt);

  /** Where the app's secret rotation stands at {@code now}. */
  SecretState secretState(long appId, Instant now);

  Install insertInstall(long appId, long userId, String tokenHash, Instant now);

  /** The person's live install of the app, if any. */
  Optional<Install> liveInstall(long appId, long userId);

  /** The live install whose token hashes to {@code tokenHash}. */
  Optional<Install> installByTokenHash(String tokenHash);

  /** The apps a person has installed and not removed, by app id. */
  List<Install> liveInstallsOf(long userId);

  /** The live installs of an app, oldest first. */
  List<Install> liveInstallsOfApp(long appId);

  /** Revokes an install; returns whether it was live. */
  boolean revokeInstall(long installId, Instant now);

  ChatMessage insertChatMessage(
      long workspaceId,
      long fromUserId,
      Long appId,
      String chat,
      String text,
      List<Attachment> attachments,
      Instant now);

  Optional<ChatMessage> chatMessage(long id);

  /** A chat's messages in page order, up to {@code limit + 1}. */
  List<ChatMessage> chatMessages(long workspaceId, String chat, PageRequest page);

  ChatMessage setAttachments(long messageId, List<Attachment> attachments);
}
