package org.backchannel.sdk;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** The answers the contracts define, as {@link Answer}s. */
public final class Answers {
  /** The header of an authentication challenge. */
  public static final String WWW_AUTHENTICATE = "www-authenticate";

  /** The content type of every JSON answer. */
  public static final String JSON = "application/json";

  /** The longest text a slash command answer may have, in characters (code points). */
  public static final int SLASH_COMMAND_MAX = 100;

  private Answers() {}

  /**
   * The attachment of a URL preview.
   *
   * @param title shown as the attachment's title; null to omit
   * @param description shown under it; null to omit
   * @param widget a widget to show; null to omit
   * @param flockml FlockML content to show; null to omit
   */
  public record Attachment(String title, String description, Widget widget, String flockml) {}

  /**
   * A widget shown in an attachment.
   *
   * @param src the widget's URL
   * @param width its width in pixels
   * @param height its height in pixels
   */
  public record Widget(String src, int width, int height) {
    /** Requires a source URL and a positive size. */
    public Widget {
      Objects.requireNonNull(src, "src");
      if (width <= 0 || height <= 0) {
        throw new IllegalArgumentException("a widget needs a positive width and height");
      }
    }
  }

  /** 200 with no body: success for every contract. */
  public static Answer ok() {
    return empty(200);
  }

  /** {@code status} with no body. */
  public static Answer empty(int status) {
    return new Answer(status, Map.of(), new byte[0]);
  }

  /** {@code status} with {@code value} written as JSON (maps, lists, records, strings, numbers). */
  public static Answer json(int status, Object value) {
    return new Answer(status, Map.of("content-type", JSON), Json.bytes(value));
  }

  /**
   * An authentication challenge for an UpdateAction call: 401, {@code www-authenticate:
   * Flowdock-Token url=<url>} where the url has a new {@link ClaimToken} for {@code userId} in its
   * {@code claim} parameter, and {@code {"error":"Authentication required"}}.
   *
   * @param url where the person authenticates (an absolute http or https URL)
   * @param claimSecret the secret that signs claims (the app's own, not necessarily its app secret)
   */
  public static Answer authenticationChallenge(
      String url, AppSecret claimSecret, String userId, Instant now) {
    return authenticationChallenge(url, ClaimToken.issue(claimSecret, userId, now));
  }

  /**
   * An authentication challenge with a claim token the app made itself.
   *
   * @throws IllegalArgumentException if {@code url} is not an absolute http or https URL
   */
  public static Answer authenticationChallenge(String url, String claimToken) {
    Objects.requireNonNull(claimToken, "claimToken");
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalArgumentException("the authentication URL is not a URL");
    }
    if (!uri.isAbsolute()
        || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))
        || uri.getRawAuthority() == null) {
      throw new IllegalArgumentException("the authentication URL must be absolute http or https");
    }
    int hash = url.indexOf('#');
    String base = hash < 0 ? url : url.substring(0, hash);
    String fragment = hash < 0 ? "" : url.substring(hash);
    String separator =
        base.indexOf('?') < 0 ? "?" : base.endsWith("?") || base.endsWith("&") ? "" : "&";
    String withClaim =
        base
            + separator
            + ClaimToken.QUERY_PARAMETER
            + "="
            + URLEncoder.encode(claimToken, StandardCharsets.UTF_8)
            + fragment;
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(WWW_AUTHENTICATE, "Flowdock-Token url=" + withClaim);
    headers.put("content-type", JSON);
    return new Answer(401, headers, Json.bytes(Map.of("error", "Authentication required")));
  }

  /**
   * The answer to {@code chat.generateUrlPreview}: 200 with {@code {"attachment": {"title",
   * "description", "views": {"widget": {...}, "flockml": "..."}}}}, leaving out what is null.
   */
  public static Answer urlPreview(Attachment attachment) {
    Objects.requireNonNull(attachment, "attachment");
    Map<String, Object> views = new LinkedHashMap<>();
    if (attachment.widget() != null) {
      views.put("widget", attachment.widget());
    }
    if (attachment.flockml() != null) {
      views.put("flockml", attachment.flockml());
    }
    Map<String, Object> body = new LinkedHashMap<>();
    if (attachment.title() != null) {
      body.put("title", attachment.title());
    }
    if (attachment.description() != null) {
      body.put("description", attachment.description());
    }
    if (!views.isEmpty()) {
      body.put("views", views);
    }
    return json(200, Map.of("attachment", body));
  }

  /**
   * The answer to {@code client.slashCommand}: 200 with {@code {"text": text}}, shown to the person
   * who entered the command.
   *
   * @throws IllegalArgumentException if {@code text} is longer than {@value #SLASH_COMMAND_MAX}
   *     characters
   */
  public static Answer slashCommand(String text) {
    Objects.requireNonNull(text, "text");
    if (text.codePointCount(0, text.length()) > SLASH_COMMAND_MAX) {
      throw new IllegalArgumentException(
          "a slash command answer has at most " + SLASH_COMMAND_MAX + " characters");
    }
    return json(200, Map.of("text", text));
  }

  /**
   * The answer to a workflow API call that updates the task: 200 with {@code {"task": fields}}.
   *
   * @param fields field names to new values (strings, numbers, booleans or null), in order
   */
  public static Answer taskUpdate(Map<String, ?> fields) {
    Objects.requireNonNull(fields, "fields");
    return json(200, Map.of("task", new LinkedHashMap<>(fields)));
  }

  /** The answer to a request body over the adapters' limit. */
  public static Answer tooLarge() {
    return json(413, Map.of("error", "request body too large"));
  }

  /**
   * Runs an app's handling of one received call and answers for it: a failed verification is 403
   * naming the check (never reaching the app), an exception from the app is 500 with no detail
   * (logged with {@code path}), and no answer is 200. Every adapter answers this way.
   */
  public static Answer handling(String path, java.util.function.Supplier<Answer> call) {
    try {
      Answer answer = call.get();
      return answer == null ? ok() : answer;
    } catch (VerificationException e) {
      return json(403, Map.of("error", "verification failed", "check", e.check().name()));
    } catch (RuntimeException e) {
      System.getLogger(Answers.class.getName())
          .log(System.Logger.Level.WARNING, "the app failed to answer " + path, e);
      return json(500, Map.of("error", "internal error"));
    }
  }
}
