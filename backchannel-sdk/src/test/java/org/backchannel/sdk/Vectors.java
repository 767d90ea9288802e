package org.backchannel.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reads the shared vectors in {@code src/test/resources/vectors}. */
final class Vectors {
  private Vectors() {}

  static JsonNode load(String name) {
    try (InputStream in = Vectors.class.getResourceAsStream("/vectors/" + name)) {
      if (in == null) {
        throw new IllegalStateException("no vector file " + name);
      }
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<AppSecret> secrets(JsonNode c) {
    List<AppSecret> secrets = new ArrayList<>();
    c.get("secrets").forEach(s -> secrets.add(AppSecret.of(s.asText())));
    return secrets;
  }

  static AppSecret signingSecret(JsonNode c) {
    return c.has("signingSecret")
        ? AppSecret.of(c.get("signingSecret").asText())
        : secrets(c).get(0);
  }

  static byte[] body(JsonNode c) {
    return c.get("body").asText().getBytes(StandardCharsets.UTF_8);
  }

  static Instant at(JsonNode c, String field) {
    return Instant.ofEpochSecond(c.get(field).asLong());
  }

  static boolean valid(JsonNode c) {
    return c.get("expect").get("valid").asBoolean();
  }

  static String expected(JsonNode c, String field) {
    return c.get("expect").get(field).asText();
  }

  /** The check a failing case names; fails the test if the name is not a {@code Check}. */
  static VerificationException.Check check(JsonNode c) {
    return VerificationException.Check.valueOf(expected(c, "check"));
  }
}
