package org.backchannel.core.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.backchannel.core.Json;
import org.backchannel.sdk.Answers;
import org.backchannel.sdk.Event;

/** Reads an exchange as its contract says. */
final class Interpreter {
  private static final Pattern CHALLENGE =
      Pattern.compile(
          "^\\s*Flowdock-Token\\s+url=\"?([^\"\\s]+)\"?\\s*$", Pattern.CASE_INSENSITIVE);
  private static final int MAX_REASON = 200;
  private static final Pattern SPACES = Pattern.compile("\\s+");

  private Interpreter() {}

  /** What an exchange means under {@code contract}, for a delivery of {@code event}. */
  static Outcome interpret(Contract contract, String event, Exchange exchange) {
    return switch (exchange) {
      case Exchange.Unanswered u -> new Outcome.Failed(null, unansweredReason(u));
      case Exchange.Answered a when contract == Contract.FLOCK -> flock(event, a);
      case Exchange.Answered a when contract == Contract.FLOWDASH -> flowdash(a);
      case Exchange.Answered a -> answered(contract, a);
    };
  }

  /**
   * Flock events: an install succeeds only on exactly 200. On success the answer keeps only what
   * the event uses, or null when it is missing or broken: a slash command's {@code {"text"}} of at
   * most 100 characters, a URL preview's {@code {"attachment": {...}}}; other answers are ignored.
   */
  private static Outcome flock(String event, Exchange.Answered a) {
    if (Event.APP_INSTALL.equals(event) && a.status() != 200) {
      return new Outcome.Failed(a.status(), statusReason(a) + " (an install needs exactly 200)");
    }
    if (a.status() < 200 || a.status() >= 300) {
      return new Outcome.Failed(a.status(), statusReason(a));
    }
    JsonNode body = jsonOrNull(a);
    JsonNode used = null;
    if (body != null && Event.CLIENT_SLASH_COMMAND.equals(event)) {
      JsonNode text = body.get("text");
      if (text != null
          && text.isTextual()
          && text.asText().codePointCount(0, text.asText().length()) <= Answers.SLASH_COMMAND_MAX) {
        used = Json.MAPPER.createObjectNode().set("text", text);
      }
    } else if (body != null && Event.CHAT_GENERATE_URL_PREVIEW.equals(event)) {
      JsonNode attachment = body.get("attachment");
      if (attachment != null && attachment.isObject()) {
        used = Json.MAPPER.createObjectNode().set("attachment", attachment);
      }
    }
    return new Outcome.Succeeded(a.status(), used);
  }

  /**
   * Flowdash API Calls reach people's own systems, which often label JSON as text: the body is read
   * as JSON whatever its declared type. A 2xx body that is not JSON still succeeds, marked
   * unreadable; a failure quotes the app's own words, from JSON or from a plain-text body.
   */
  private static Outcome flowdash(Exchange.Answered a) {
    JsonNode body = anyJsonOrNull(a);
    if (a.status() >= 200 && a.status() < 300) {
      boolean sent = a.truncated() || !new String(a.body(), StandardCharsets.UTF_8).isBlank();
      return new Outcome.Succeeded(a.status(), body, body == null && sent);
    }
    String reason = statusReason(a, body);
    String type = a.headers().getOrDefault("content-type", "").toLowerCase(Locale.ROOT);
    if (body == null && (type.isEmpty() || type.startsWith("text/plain"))) {
      String said = plainText(a.body());
      if (!said.isEmpty()) {
        reason += ": " + said;
      }
    }
    return new Outcome.Failed(a.status(), reason);
  }

  /**
   * At most {@value #MAX_REASON} characters of a text body, safe to show: control and format
   * characters (line breaks, bidirectional overrides) become spaces, runs of spaces one.
   */
  static String plainText(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(Math.min(text.length(), 4 * MAX_REASON));
    text.codePoints()
        .limit(8L * MAX_REASON)
        .forEach(
            cp ->
                out.appendCodePoint(
                    Character.isISOControl(cp)
                            || Character.getType(cp) == Character.FORMAT
                            || cp == 0xFFFD
                        ? ' '
                        : cp));
    String said = SPACES.matcher(out).replaceAll(" ").strip();
    if (said.codePointCount(0, said.length()) > MAX_REASON) {
      said = said.substring(0, said.offsetByCodePoints(0, MAX_REASON));
    }
    return said;
  }

  private static Outcome answered(Contract contract, Exchange.Answered a) {
    if (contract == Contract.FLOWDOCK && a.status() == 401) {
      String challenge = a.headers().get("www-authenticate");
      Matcher m = challenge == null ? null : CHALLENGE.matcher(challenge);
      if (m != null && m.matches()) {
        return new Outcome.AuthenticationRequired(m.group(1));
      }
    }
    if (a.status() >= 200 && a.status() < 300) {
      return new Outcome.Succeeded(a.status(), jsonOrNull(a));
    }
    return new Outcome.Failed(a.status(), statusReason(a));
  }

  private static String unansweredReason(Exchange.Unanswered u) {
    return switch (u.failure()) {
      case TIMEOUT -> "the app did not answer in time";
      case REFUSED -> "the app refused the connection";
      case BLOCKED -> "the app's address is not allowed";
      case UNRESOLVED -> "the app's host name does not resolve";
      case IO -> "the connection to the app broke";
    };
  }

  /** "the app answered HTTP 500", plus the app's own error text when its JSON body has one. */
  private static String statusReason(Exchange.Answered a) {
    return statusReason(a, jsonOrNull(a));
  }

  private static String statusReason(Exchange.Answered a, JsonNode body) {
    String reason = "the app answered HTTP " + a.status();
    if (body != null && body.isObject()) {
      for (String field : new String[] {"error", "message", "description"}) {
        JsonNode text = body.get(field);
        if (text != null && text.isTextual() && !text.asText().isBlank()) {
          String said = text.asText().strip();
          reason += ": " + (said.length() > MAX_REASON ? said.substring(0, MAX_REASON) : said);
          break;
        }
      }
    }
    return reason;
  }

  /**
   * The body as JSON whatever its declared type, or null when it is empty, cut short or not JSON.
   */
  private static JsonNode anyJsonOrNull(Exchange.Answered a) {
    JsonNode node = parsedOrNull(a);
    return node == null || node.isMissingNode() ? null : node;
  }

  static JsonNode jsonOrNull(Exchange.Answered a) {
    String type = a.headers().getOrDefault("content-type", "").toLowerCase(Locale.ROOT);
    return type.contains("json") ? parsedOrNull(a) : null;
  }

  /** The body as Jackson reads it, or null when it is empty, cut short or not JSON. */
  private static JsonNode parsedOrNull(Exchange.Answered a) {
    if (a.body().length == 0 || a.truncated()) {
      return null;
    }
    try {
      return Json.MAPPER.readTree(a.body());
    } catch (IOException e) {
      return null;
    }
  }
}
