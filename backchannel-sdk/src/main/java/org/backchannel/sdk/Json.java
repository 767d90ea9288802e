package org.backchannel.sdk;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import org.backchannel.sdk.VerificationException.Check;

/** The one JSON mapper of the SDK: strict about duplicate keys and trailing content. */
final class Json {
  static final ObjectMapper MAPPER =
      new ObjectMapper()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Json() {}

  /** Parses {@code bytes} as one JSON object, or fails with {@link Check#MALFORMED}. */
  static ObjectNode object(byte[] bytes, String what) {
    JsonNode node;
    try {
      node = MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new VerificationException(Check.MALFORMED, what + " is not JSON");
    }
    if (!(node instanceof ObjectNode object)) {
      throw new VerificationException(Check.MALFORMED, what + " is not a JSON object");
    }
    return object;
  }

  /** The text of {@code field}, or null when it is absent or not a string. */
  static String text(JsonNode node, String field) {
    JsonNode value = node == null ? null : node.get(field);
    return value != null && value.isTextual() ? value.asText() : null;
  }

  /** Writes {@code value} as compact UTF-8 JSON. */
  static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write as JSON: " + e.getOriginalMessage(), e);
    }
  }
}
