package org.backchannel.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.backchannel.sdk.VerificationException.Check;

/**
 * The body of an UpdateAction call (the Flowdock contract): the action as stored in the thread,
 * enriched with the person who selected it. {@link UpdateActions#verify} verifies and reads it.
 *
 * @param name the action's {@code name}, e.g. "Assign to me"
 * @param description its {@code description}; null if absent
 * @param target where the call was sent; null if absent
 * @param agent the person who selected the action; null if absent
 * @param json the body exactly as received, for attributes without a component
 */
public record UpdateAction(
    String name, String description, Target target, Agent agent, String json) {
  /** The {@code @type} of an UpdateAction. */
  public static final String TYPE = "UpdateAction";

  /** The {@code target} EntryPoint: the URL template and HTTP method of the call. */
  public record Target(String urlTemplate, String httpMethod) {}

  /** The {@code agent} Person: the name and image of the person who acted. */
  public record Agent(String name, String image) {}

  /** A fresh, mutable tree of {@link #json()}. */
  public ObjectNode tree() {
    return Json.object(json.getBytes(StandardCharsets.UTF_8), "the action");
  }

  /**
   * Reads an UpdateAction body without verifying anything.
   *
   * @throws VerificationException with {@link Check#MALFORMED} if it is not a JSON object with
   *     {@code "@type": "UpdateAction"}
   */
  public static UpdateAction parse(byte[] body) {
    ObjectNode o = Json.object(body, "the action");
    if (!TYPE.equals(Json.text(o, "@type"))) {
      throw new VerificationException(Check.MALFORMED, "the body is not an UpdateAction");
    }
    JsonNode t = o.get("target");
    JsonNode a = o.get("agent");
    return new UpdateAction(
        Json.text(o, "name"),
        Json.text(o, "description"),
        t instanceof ObjectNode
            ? new Target(Json.text(t, "urlTemplate"), Json.text(t, "httpMethod"))
            : null,
        a instanceof ObjectNode ? new Agent(Json.text(a, "name"), Json.text(a, "image")) : null,
        new String(body, StandardCharsets.UTF_8));
  }
}
