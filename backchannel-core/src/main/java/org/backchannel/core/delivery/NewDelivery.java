package org.backchannel.core.delivery;

/** What a domain service asks to be delivered; the body is stored beside the queue row. */
public record NewDelivery(
    long workspaceId,
    long appId,
    Contract contract,
    String event,
    String method,
    String url,
    String actorId,
    boolean interactive,
    byte[] body) {}
