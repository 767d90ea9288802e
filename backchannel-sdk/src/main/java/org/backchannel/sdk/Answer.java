package org.backchannel.sdk;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An HTTP answer to one of the platform's calls, in a form any framework can write: a status, the
 * headers in order, and the body bytes. {@link Answers} makes the ones the contracts define.
 *
 * @param status the HTTP status, 100 to 599
 * @param headers header names to values, unmodifiable, in order
 * @param body the body bytes; empty for none
 */
public record Answer(int status, Map<String, String> headers, byte[] body) {
  /** Copies its arguments, so an answer never changes once made. */
  public Answer {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("not an HTTP status: " + status);
    }
    headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    body = body.clone();
  }

  /** The body bytes (a fresh copy). */
  @Override
  public byte[] body() {
    return body.clone();
  }

  /** The body as UTF-8 text. */
  public String bodyText() {
    return new String(body, StandardCharsets.UTF_8);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Answer other
        && status == other.status
        && headers.equals(other.headers)
        && Arrays.equals(body, other.body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(status, headers, Arrays.hashCode(body));
  }

  @Override
  public String toString() {
    return "Answer[status=" + status + ", headers=" + headers + ", body=" + bodyText() + "]";
  }
}
