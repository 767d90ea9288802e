package org.backchannel.core.delivery;

/** A delivery's body, exactly as sent, and its sealed extra headers (or null). */
public record Payload(byte[] body, String sealedHeaders) {}
