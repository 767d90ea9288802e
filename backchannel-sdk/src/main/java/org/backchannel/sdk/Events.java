package org.backchannel.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.backchannel.sdk.VerificationException.Check;

/**
 * Verifies app events (the Flock contract) and reads them into {@link Event} records.
 *
 * <p>The event token covers the user, not the body: {@link #verify} checks that the body's {@code
 * userId} is the token's. To also bind the body, check the Standard Webhooks headers with {@link
 * StandardWebhooks#verify}.
 */
public final class Events {
  /** The widget or browser URL parameter with the event JSON. */
  public static final String EVENT_PARAMETER = "flockEvent";

  /** The widget or browser URL parameter naming the client: desktop, ios or android. */
  public static final String CLIENT_PARAMETER = "flockClient";

  /** The widget URL parameter naming the widget type: modal, sidebar or attachment. */
  public static final String WIDGET_TYPE_PARAMETER = "flockWidgetType";

  /** The clock skew the verifiers allow. */
  public static final Duration DEFAULT_SKEW = Duration.ofSeconds(30);

  private Events() {}

  /**
   * An event opened in a widget or the browser.
   *
   * @param client {@code flockClient}: desktop, ios or android; null if absent
   * @param widgetType {@code flockWidgetType}: modal, sidebar or attachment; null for the browser
   */
  public record WidgetEvent(Event event, String client, String widgetType) {}

  /** As {@link #verify(List, String, byte[], Instant)} with one secret. */
  public static Event verify(AppSecret secret, String token, byte[] body, Instant now) {
    return verify(List.of(secret), token, body, now);
  }

  /**
   * Verifies an event POSTed to the event listener and returns it.
   *
   * @param secrets the app's valid secrets (two while one is being rotated)
   * @param token the {@value EventToken#HEADER} header
   * @param body the exact request body
   * @throws VerificationException naming the failed check: the token's, {@link Check#MALFORMED} if
   *     the body is not an event object, {@link Check#USER_MISMATCH} if its {@code userId} is not
   *     the token's
   */
  public static Event verify(List<AppSecret> secrets, String token, byte[] body, Instant now) {
    EventToken.Claims claims = EventToken.verify(secrets, token, now, DEFAULT_SKEW);
    Event event = parse(body);
    requireUser(event, claims);
    return event;
  }

  /**
   * Verifies an event opened in a widget or the browser, from the URL's raw (still encoded) query
   * string.
   *
   * @throws VerificationException as {@link #verifyParameters}, or {@link Check#MALFORMED} if the
   *     query cannot be decoded or repeats one of the parameters
   */
  public static WidgetEvent verifyQuery(List<AppSecret> secrets, String rawQuery, Instant now) {
    Map<String, String> parameters = new HashMap<>();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String pair : rawQuery.split("&")) {
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq));
        String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
        if (parameters.put(name, value) != null && name.startsWith("flock")) {
          throw new VerificationException(Check.MALFORMED, "the query repeats " + name);
        }
      }
    }
    return verifyParameters(secrets, parameters::get, now);
  }

  /**
   * Verifies an event opened in a widget or the browser, from already decoded query parameters.
   *
   * @param parameter reads a decoded query parameter by name, or returns null
   * @throws VerificationException naming the failed check: {@link Check#MISSING} without {@value
   *     #EVENT_PARAMETER} or {@value EventToken#QUERY_PARAMETER}, the token's, {@link
   *     Check#MALFORMED} for an event that is not a {@code client.*} event (only those are ever
   *     sent to a URL), {@link Check#USER_MISMATCH} if its {@code userId} is not the token's
   */
  public static WidgetEvent verifyParameters(
      List<AppSecret> secrets, Function<String, String> parameter, Instant now) {
    String token = parameter.apply(EventToken.QUERY_PARAMETER);
    String json = parameter.apply(EVENT_PARAMETER);
    if (json == null || json.isEmpty()) {
      throw new VerificationException(Check.MISSING, "no " + EVENT_PARAMETER + " parameter");
    }
    EventToken.Claims claims = EventToken.verify(secrets, token, now, DEFAULT_SKEW);
    Event event = parse(json.getBytes(StandardCharsets.UTF_8));
    if (!event.name().startsWith("client.")) {
      throw new VerificationException(
          Check.MALFORMED, "only client.* events are sent to a widget or browser URL");
    }
    requireUser(event, claims);
    return new WidgetEvent(
        event, parameter.apply(CLIENT_PARAMETER), parameter.apply(WIDGET_TYPE_PARAMETER));
  }

  /**
   * Reads an event object without verifying anything.
   *
   * @throws VerificationException with {@link Check#MALFORMED} if it is not a JSON object with a
   *     string {@code name}
   */
  public static Event parse(byte[] json) {
    ObjectNode o = Json.object(json, "the event");
    String name = Json.text(o, "name");
    if (name == null || name.isEmpty()) {
      throw new VerificationException(Check.MALFORMED, "the event has no name");
    }
    String raw = new String(json, StandardCharsets.UTF_8);
    String user = Json.text(o, "userId");
    switch (name) {
      case Event.APP_INSTALL:
        return new Event.AppInstall(user, Json.text(o, "token"), raw);
      case Event.APP_UNINSTALL:
        return new Event.AppUninstall(user, raw);
      case Event.CHAT_RECEIVE_MESSAGE:
        JsonNode m = o.get("message");
        Event.Message message =
            m instanceof ObjectNode
                ? new Event.Message(
                    Json.text(m, "uid"),
                    Json.text(m, "from"),
                    Json.text(m, "to"),
                    Json.text(m, "text"))
                : null;
        return new Event.ChatReceiveMessage(user, message, raw);
      case Event.CLIENT_SLASH_COMMAND:
        return new Event.ClientSlashCommand(
            user,
            Json.text(o, "userName"),
            Json.text(o, "chat"),
            Json.text(o, "chatName"),
            Json.text(o, "command"),
            Json.text(o, "text"),
            raw);
      case Event.CLIENT_PRESS_BUTTON:
        return new Event.ClientPressButton(
            user,
            Json.text(o, "userName"),
            Json.text(o, "chat"),
            Json.text(o, "chatName"),
            Json.text(o, "button"),
            Json.text(o, "buttonId"),
            Json.text(o, "messageUid"),
            raw);
      case Event.CLIENT_WIDGET_ACTION:
        return new Event.ClientWidgetAction(
            user, Json.text(o, "userName"), Json.text(o, "chat"), Json.text(o, "chatName"), raw);
      case Event.CLIENT_FLOCKML_ACTION:
        return new Event.ClientFlockmlAction(
            user,
            Json.text(o, "userName"),
            Json.text(o, "chat"),
            Json.text(o, "chatName"),
            Json.text(o, "actionId"),
            Json.text(o, "messageUid"),
            raw);
      case Event.CHAT_GENERATE_URL_PREVIEW:
        return new Event.ChatGenerateUrlPreview(
            user, Json.text(o, "url"), Json.text(o, "messageUid"), raw);
      default:
        return new Event.UnknownEvent(name, user, raw);
    }
  }

  private static void requireUser(Event event, EventToken.Claims claims) {
    if (!Digests.constantTimeEquals(event.userId(), claims.userId())) {
      throw new VerificationException(Check.USER_MISMATCH, "the event's userId is not the token's");
    }
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new VerificationException(Check.MALFORMED, "the query is not URL-encoded");
    }
  }
}
