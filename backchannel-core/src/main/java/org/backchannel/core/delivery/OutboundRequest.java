package org.backchannel.core.delivery;

import java.net.URI;
import java.util.Map;

/** A call as it will go over the wire. Header order is kept. */
public record OutboundRequest(String method, URI uri, Map<String, String> headers, byte[] body) {}
