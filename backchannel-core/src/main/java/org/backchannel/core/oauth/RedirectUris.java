package org.backchannel.core.oauth;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;
import org.backchannel.core.Validation;

/**
 * Which URIs an app may register to have people sent back to (RFC 6749 §3.1.2, and the OAuth
 * security BCP): absolute https URIs compared exactly, never a pattern or a fragment; plain http
 * only to this machine's loopback, and only on a server run with {@code --dev}.
 */
final class RedirectUris {
  static final int MAX_LENGTH = 2000;
  static final int MAX_COUNT = 10;
  private static final Set<String> LOOPBACK = Set.of("127.0.0.1", "[::1]", "localhost");

  private RedirectUris() {}

  /** Adds the reason {@code uri} may not be registered, if there is one, under {@code field}. */
  static void check(Validation v, String field, String uri, boolean loopbackAllowed) {
    String reason = problem(uri, loopbackAllowed);
    if (reason != null) {
      v.add(field, reason);
    }
  }

  /**
   * Adds the reason {@code url} may not be an app's install link, if there is one: the same rules
   * as a redirect URI, but a fragment is allowed.
   */
  static void checkLink(Validation v, String field, String url, boolean loopbackAllowed) {
    int hash = url.indexOf('#');
    check(v, field, hash < 0 ? url : url.substring(0, hash), loopbackAllowed);
  }

  /** Whether a registered URI may be used now (a loopback one only while loopback is allowed). */
  static boolean usable(String uri, boolean loopbackAllowed) {
    return problem(uri, loopbackAllowed) == null;
  }

  private static String problem(String uri, boolean loopbackAllowed) {
    if (uri == null || uri.isBlank()) {
      return "is required";
    }
    if (uri.length() > MAX_LENGTH) {
      return "must be at most " + MAX_LENGTH + " characters";
    }
    if (uri.contains("*")) {
      return "must be an exact URI: wildcards are not allowed";
    }
    URI parsed;
    try {
      parsed = new URI(uri);
    } catch (URISyntaxException e) {
      return "must be an absolute URI";
    }
    String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
    if (!parsed.isAbsolute() || parsed.getHost() == null || parsed.isOpaque()) {
      return "must be an absolute https URI";
    }
    if (parsed.getRawFragment() != null) {
      return "must not have a fragment";
    }
    if (parsed.getRawUserInfo() != null) {
      return "must not carry a user name or password";
    }
    boolean loopback = LOOPBACK.contains(parsed.getHost().toLowerCase(Locale.ROOT));
    if (scheme.equals("https")) {
      return null;
    }
    if (scheme.equals("http") && loopback) {
      return loopbackAllowed
          ? null
          : "must be https: http to a loopback address is allowed only on a server run with --dev";
    }
    return loopbackAllowed
        ? "must be https, or http to 127.0.0.1, [::1] or localhost"
        : "must be https";
  }
}
