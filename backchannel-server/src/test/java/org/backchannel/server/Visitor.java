package org.backchannel.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A person's user agent without a browser: it keeps cookies, follows nothing by itself (each test
 * looks at where it is sent), and reads the hidden fields and choices of a page's form.
 */
final class Visitor {
  private static final Pattern HIDDEN =
      Pattern.compile("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">");
  private static final Pattern OPTION = Pattern.compile("<option value=\"([^\"]*)\"[^>]*>([^<]*)<");

  private final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);
  private final HttpClient client =
      HttpClient.newBuilder()
          .cookieHandler(cookies)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();
  private final URI server;

  Visitor(URI server) {
    this.server = server;
  }

  /** Holds a session already started for the person, as if they had signed in on this browser. */
  Visitor signedIn(String sessionId) {
    HttpCookie cookie = new HttpCookie("bc_session", sessionId);
    cookie.setPath("/");
    cookie.setVersion(0);
    cookies.getCookieStore().add(server, cookie);
    return this;
  }

  HttpResponse<String> get(String uri) {
    return send(HttpRequest.newBuilder(server.resolve(uri)).GET());
  }

  HttpResponse<String> post(String uri, Map<String, String> form) {
    String body =
        form.entrySet().stream()
            .map(
                e ->
                    URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                        + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    return send(
        HttpRequest.newBuilder(server.resolve(uri))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private HttpResponse<String> send(HttpRequest.Builder b) {
    try {
      return client.send(
          b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String location(HttpResponse<String> r) {
    return r.headers().firstValue("Location").orElseThrow(() -> new AssertionError(r.body()));
  }

  /** The hidden fields of a page's forms, by name (the first of each name). */
  static Map<String, String> hidden(String page) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = HIDDEN.matcher(page);
    while (m.find()) {
      out.putIfAbsent(m.group(1), unescape(m.group(2)));
    }
    return out;
  }

  /** The choices of a page's selects: value to shown text. */
  static Map<String, String> options(String page) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = OPTION.matcher(page);
    while (m.find()) {
      out.put(m.group(1), unescape(m.group(2)));
    }
    return out;
  }

  static String unescape(String html) {
    return html.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
  }
}
