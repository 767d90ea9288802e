package org.backchannel.sdk;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * An app event (the Flock contract): one record per event name, and {@link UnknownEvent} for any
 * other name. {@link Events#parse(byte[])} makes them; {@link Events#verify} verifies the token
 * first.
 *
 * <p>Every event keeps the JSON it was read from in {@link #json()}, so attributes without a record
 * component stay readable through {@link #tree()}. String components are null when the attribute is
 * absent or not a string.
 */
public sealed interface Event {
  /** The name of {@link AppInstall}. */
  String APP_INSTALL = "app.install";

  /** The name of {@link AppUninstall}. */
  String APP_UNINSTALL = "app.uninstall";

  /** The name of {@link ChatReceiveMessage}. */
  String CHAT_RECEIVE_MESSAGE = "chat.receiveMessage";

  /** The name of {@link ClientSlashCommand}. */
  String CLIENT_SLASH_COMMAND = "client.slashCommand";

  /** The name of {@link ClientPressButton}. */
  String CLIENT_PRESS_BUTTON = "client.pressButton";

  /** The name of {@link ClientWidgetAction}. */
  String CLIENT_WIDGET_ACTION = "client.widgetAction";

  /** The name of {@link ClientFlockmlAction}. */
  String CLIENT_FLOCKML_ACTION = "client.flockmlAction";

  /** The name of {@link ChatGenerateUrlPreview}. */
  String CHAT_GENERATE_URL_PREVIEW = "chat.generateUrlPreview";

  /** The event's {@code name}. */
  String name();

  /** The id of the person the event is about ({@code userId}). */
  String userId();

  /** The event object exactly as received. */
  String json();

  /** A fresh, mutable tree of {@link #json()}, for attributes that have no record component. */
  default ObjectNode tree() {
    return Json.object(json().getBytes(StandardCharsets.UTF_8), "the event");
  }

  /**
   * A person installed the app. Answer 200 for success; any other status means the install failed.
   *
   * @param token the app's credential for acting as that person
   */
  record AppInstall(String userId, String token, String json) implements Event {
    @Override
    public String name() {
      return APP_INSTALL;
    }

    /** Hides {@link #token()}, a credential. */
    @Override
    public String toString() {
      return "AppInstall[userId=" + userId + ", token=redacted]";
    }
  }

  /** A person removed the app. The answer is ignored. */
  record AppUninstall(String userId, String json) implements Event {
    @Override
    public String name() {
      return APP_UNINSTALL;
    }
  }

  /**
   * A message was sent to the app's bot. The answer is ignored.
   *
   * @param message the message; null when the event has none
   */
  record ChatReceiveMessage(String userId, Message message, String json) implements Event {
    @Override
    public String name() {
      return CHAT_RECEIVE_MESSAGE;
    }
  }

  /** The message of a {@link ChatReceiveMessage}: its id, sender, recipient and text. */
  record Message(String uid, String from, String to, String text) {}

  /**
   * A person entered {@code /command text}. Answer with {@link Answers#slashCommand(String)} to
   * show them a short text.
   */
  record ClientSlashCommand(
      String userId,
      String userName,
      String chat,
      String chatName,
      String command,
      String text,
      String json)
      implements Event {
    @Override
    public String name() {
      return CLIENT_SLASH_COMMAND;
    }
  }

  /** A button of the app was pressed. */
  record ClientPressButton(
      String userId,
      String userName,
      String chat,
      String chatName,
      String button,
      String buttonId,
      String messageUid,
      String json)
      implements Event {
    @Override
    public String name() {
      return CLIENT_PRESS_BUTTON;
    }
  }

  /** A widget of the app triggered an action. */
  record ClientWidgetAction(
      String userId, String userName, String chat, String chatName, String json) implements Event {
    @Override
    public String name() {
      return CLIENT_WIDGET_ACTION;
    }
  }

  /** FlockML content of the app triggered an action. */
  record ClientFlockmlAction(
      String userId,
      String userName,
      String chat,
      String chatName,
      String actionId,
      String messageUid,
      String json)
      implements Event {
    @Override
    public String name() {
      return CLIENT_FLOCKML_ACTION;
    }
  }

  /**
   * A message contains a URL the app claims. Answer with {@link Answers#urlPreview} to add an
   * attachment to the message.
   */
  record ChatGenerateUrlPreview(String userId, String url, String messageUid, String json)
      implements Event {
    @Override
    public String name() {
      return CHAT_GENERATE_URL_PREVIEW;
    }
  }

  /** An event whose name has no record here; read it through {@link #tree()}. */
  record UnknownEvent(String name, String userId, String json) implements Event {}
}
