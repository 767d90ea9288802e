package org.backchannel.core.delivery;

/**
 * What a domain service asks to be delivered; the body is stored beside the queue row. {@code
 * sealedHeaders} are extra request headers (e.g. an API Call step's {@code Authorization}), as a
 * JSON object sealed with the {@link org.backchannel.core.security.SecretBox}, or null; they are
 * sent but never recorded in the clear. {@code idempotencyKey}, when given, makes a second delivery
 * with the same key for the same app return the first.
 */
public record NewDelivery(
    long workspaceId,
    long appId,
    Contract contract,
    String event,
    String method,
    String url,
    String actorId,
    boolean interactive,
    byte[] body,
    String sealedHeaders,
    String idempotencyKey) {

  /** A delivery with no extra headers and no idempotency key. */
  public NewDelivery(
      long workspaceId,
      long appId,
      Contract contract,
      String event,
      String method,
      String url,
      String actorId,
      boolean interactive,
      byte[] body) {
    this(workspaceId, appId, contract, event, method, url, actorId, interactive, body, null, null);
  }
}
