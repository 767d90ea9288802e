package org.backchannel.core.delivery;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Hides secrets before anything is recorded, logged or shown. */
final class Redaction {
  static final String REDACTED = "[redacted]";

  private static final Set<String> SECRET_HEADERS =
      Set.of(
          "flowdock-token",
          "x-flock-event-token",
          "webhook-signature",
          "authorization",
          "proxy-authorization",
          "cookie",
          "set-cookie",
          "x-api-key");

  private Redaction() {}

  /** A copy with every secret header's value replaced, plus the extra names given. */
  static Map<String, String> headers(Map<String, String> headers, Set<String> alsoSecret) {
    Map<String, String> out = new LinkedHashMap<>();
    headers.forEach(
        (name, value) -> {
          String lower = name.toLowerCase(Locale.ROOT);
          boolean secret =
              SECRET_HEADERS.contains(lower)
                  || alsoSecret.stream().anyMatch(s -> s.equalsIgnoreCase(name));
          out.put(name, secret ? REDACTED : value);
        });
    return out;
  }
}
