package org.backchannel.core.delivery;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One try at a delivery, as it went over the wire: secrets in headers are already redacted, and the
 * answer body is capped. {@code responseStatus} is null when no answer came; {@code error} then
 * says why.
 */
public record Attempt(
    long id,
    long deliveryId,
    int number,
    Instant startedAt,
    Duration duration,
    String requestMethod,
    String requestUrl,
    Map<String, String> requestHeaders,
    String requestBody,
    Integer responseStatus,
    Map<String, String> responseHeaders,
    String responseBody,
    String error,
    String outcome) {
  public Attempt {
    // Header order is kept: it is part of what went over the wire.
    requestHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(requestHeaders));
    responseHeaders =
        responseHeaders == null
            ? Map.of()
            : Collections.unmodifiableMap(new LinkedHashMap<>(responseHeaders));
  }
}
