package org.backchannel.core.delivery;

/**
 * What a domain service asks to be delivered; the body is stored beside the queue row. {@code
 * actorUserId} is the person the call is made for (null for none); each contract writes it its own
 * way ({@link Contract#actor}). {@code sealedHeaders} are extra request headers (e.g. an API Call
 * step's {@code Authorization}), as a JSON object sealed with the {@link
 * org.backchannel.core.security.SecretBox}, or null; they are sent but never recorded in the clear.
 * {@code idempotencyKey}, when given, makes a second delivery with the same key for the same app
 * return the first. Whether it is sent now or queued is the engine's to decide, by the door it
 * comes in: {@link DeliveryEngine#callNow} or {@link Outbox#enqueue}.
 */
public record NewDelivery(
    long workspaceId,
    long appId,
    Contract contract,
    String event,
    String method,
    String url,
    Long actorUserId,
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
      Long actorUserId,
      byte[] body) {
    this(workspaceId, appId, contract, event, method, url, actorUserId, body, null, null);
  }
}
