package org.backchannel.core.threads;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Set;
import org.backchannel.core.Validation;

/**
 * A checked {@code POST /messages} body (less the flow token). {@code thread} holds only the
 * members the app sent, so that an update replaces just those.
 */
record MessagePost(
    String event,
    Author author,
    String title,
    String body,
    String externalThreadId,
    ObjectNode thread) {

  static final Set<String> EVENTS = Set.of("activity", "discussion", "message");

  /** Checks every rule at once; throws {@link org.backchannel.core.Problem.Invalid} if any fail. */
  static MessagePost parse(JsonNode json) {
    Validation v = new Validation();
    if (json == null || !json.isObject()) {
      v.add("body", "must be a JSON object or a form");
      v.throwIfInvalid();
    }
    String event = ThreadJson.text(json, "event", "", v);
    if (v.required("event", event) && !EVENTS.contains(event)) {
      v.add("event", "must be one of activity, discussion, message");
    }
    boolean chat = "message".equals(event);

    Author author = author(json.get("author"), !chat, v);
    String title = ThreadJson.text(json, "title", "", v);
    if (!chat) {
      v.required("title", title);
    }
    v.maxLength("title", title, ThreadJson.MAX_TITLE);

    // Plain messages carry their text in "content"; activities and discussions in "body" (HTML).
    String body = ThreadJson.text(json, chat ? "content" : "body", "", v);
    if (chat) {
      v.required("content", body);
      v.maxLength("content", body, 8096);
    } else {
      v.maxLength("body", body, ThreadJson.MAX_BODY);
    }

    String externalThreadId = ThreadJson.text(json, "external_thread_id", "", v);
    if (v.required("external_thread_id", externalThreadId)) {
      v.maxLength("external_thread_id", externalThreadId, 255);
    }

    ObjectNode thread = null;
    JsonNode threadNode = json.get("thread");
    if (threadNode != null && !threadNode.isNull()) {
      if (threadNode.isObject()) {
        thread = (ObjectNode) threadNode;
        ThreadJson.parse(thread, "thread", v);
      } else {
        v.add("thread", "must be an object");
      }
    }
    v.throwIfInvalid();
    return new MessagePost(event, author, title, body, externalThreadId, thread);
  }

  private static Author author(JsonNode node, boolean required, Validation v) {
    if (node == null || node.isNull()) {
      if (required) {
        v.add("author", "is required");
      }
      return null;
    }
    if (!node.isObject()) {
      v.add("author", "must be an object with name, avatar and email");
      return null;
    }
    String name = ThreadJson.text(node, "name", "author", v);
    if (v.required("author.name", name)) {
      v.maxLength("author.name", name, 255);
    }
    String avatar = ThreadJson.text(node, "avatar", "author", v);
    v.httpUrl("author.avatar", avatar);
    String email = ThreadJson.text(node, "email", "author", v);
    if (email != null && !email.contains("@")) {
      v.add("author.email", "must be an email address");
    }
    return new Author(name, avatar, email);
  }
}
