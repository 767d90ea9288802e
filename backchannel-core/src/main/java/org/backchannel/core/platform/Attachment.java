package org.backchannel.core.platform;

import java.util.List;

/**
 * An attachment of a chat message, as an app sent it or as a URL preview answered it. {@code
 * flockml} is the app's FlockML already sanitised to the allowed HTML; {@code appId} is the app
 * that made it, whose events its buttons and actions send. Any other member may be null.
 */
public record Attachment(
    long appId,
    String title,
    String description,
    Widget widget,
    String flockml,
    List<Button> buttons) {
  public Attachment {
    buttons = buttons == null ? List.of() : List.copyOf(buttons);
  }

  /** A widget shown in the attachment. */
  public record Widget(String src, int width, int height) {}

  /**
   * A button on the attachment; pressing it sends {@code client.pressButton} as its action says.
   */
  public record Button(String id, String name, ClientAction action) {}
}
