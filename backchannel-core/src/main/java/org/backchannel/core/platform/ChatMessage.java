package org.backchannel.core.platform;

import java.time.Instant;
import java.util.List;

/**
 * A chat message: from a person (or an app acting as that person, {@code appId}) to a chat: a flow
 * ({@code g:<flow id>}), a person ({@code u:<user id>}) or an app's bot ({@code b:<app id>}).
 */
public record ChatMessage(
    long id,
    long workspaceId,
    long fromUserId,
    Long appId,
    String chat,
    String text,
    List<Attachment> attachments,
    Instant createdAt) {
  public ChatMessage {
    attachments = List.copyOf(attachments);
  }

  /** The message's id as apps see it ({@code messageUid}). */
  public String uid() {
    return PlatformIds.message(id);
  }
}
