package org.backchannel.core;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.Map;

/** The one JSON mapper: what the store keeps and what apps receive are written the same way. */
public final class Json {
  // A document followed by anything (a second document, stray text) is not one document: refused,
  // rather than acting on the first part of something the sender meant differently.
  public static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  /** The deepest nesting a document may have; form field names obey it too. */
  public static final int MAX_DEPTH =
      MAPPER.getFactory().streamReadConstraints().getMaxNestingDepth();

  private Json() {}

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  public static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  public static JsonNode read(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException("stored JSON does not parse", e);
    }
  }

  public static <T> T read(String json, Class<T> type) {
    try {
      return MAPPER.readValue(json, type);
    } catch (IOException e) {
      throw new UncheckedIOException("stored JSON does not parse as " + type.getSimpleName(), e);
    }
  }

  /**
   * Reads JSON someone sent: one document and nothing after it, every string valid Unicode (a lone
   * surrogate cannot be stored and would come back as {@code ?}) and every number finite (a literal
   * such as {@code 1e999} overflows to infinity). Anything else is {@link Problem.Invalid} naming
   * {@code field}, or the member inside it that is wrong.
   */
  public static JsonNode readSent(byte[] bytes, String field) {
    JsonNode node;
    try {
      node = MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw Problem.Invalid.of(field, "is not valid JSON");
    }
    if (node == null || node.isMissingNode()) {
      throw Problem.Invalid.of(field, "is not valid JSON");
    }
    Validation v = new Validation();
    check(node, field.equals("body") ? "" : field, v);
    v.throwIfInvalid();
    return node;
  }

  /** {@link #readSent(byte[], String)} for JSON that arrived as text inside something else. */
  public static JsonNode readSent(String text, String field) {
    return readSent(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), field);
  }

  private static void check(JsonNode node, String at, Validation v) {
    if (node.isTextual() && !validUnicode(node.textValue())) {
      v.add(name(at), "must be valid Unicode: it contains a lone surrogate");
    } else if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
      v.add(name(at), "must be a finite number");
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        check(node.get(i), at + "[" + i + "]", v);
      }
    } else if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> member = it.next();
        String key = member.getKey();
        if (!validUnicode(key)) {
          v.add(name(at), "must have member names in valid Unicode: one has a lone surrogate");
          continue;
        }
        check(member.getValue(), at.isEmpty() ? key : at + "." + key, v);
      }
    }
  }

  private static String name(String at) {
    return at.isEmpty() ? "body" : at;
  }

  /** Whether every surrogate in {@code s} is half of a proper pair. */
  public static boolean validUnicode(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
