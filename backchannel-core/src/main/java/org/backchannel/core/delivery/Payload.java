package org.backchannel.core.delivery;

/**
 * A delivery's body, exactly as sent, its sealed extra headers (or null) and the W3C {@code
 * traceparent} of the request that queued it (null: none was traced).
 */
public record Payload(byte[] body, String sealedHeaders, String traceparent) {
  /** A payload queued by no traced request. */
  public Payload(byte[] body, String sealedHeaders) {
    this(body, sealedHeaders, null);
  }
}
