package org.backchannel.core.workspace;

import org.backchannel.core.store.Tx;

/**
 * Told, inside the transaction that makes it so, when a person leaves a flow or is deactivated, so
 * that what they authorised there ends with them rather than only pausing while they are away.
 */
@FunctionalInterface
public interface Departures {
  /**
   * @param by the admin who removed or deactivated them
   * @param flowId the flow they left, or null when they were deactivated
   */
  void departed(Tx tx, User by, long userId, Long flowId);
}
