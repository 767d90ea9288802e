package org.backchannel.core.delivery;

import java.time.Duration;

/**
 * Sends one request and reads its answer, within {@code timeout} for the whole exchange
 * (connecting, headers and body), following no redirects and keeping a capped answer body.
 */
public interface HttpSender extends AutoCloseable {
  Exchange send(OutboundRequest request, Duration timeout);

  @Override
  void close();
}
