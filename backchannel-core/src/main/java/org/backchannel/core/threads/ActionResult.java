package org.backchannel.core.threads;

import org.backchannel.core.delivery.Outcome;

/** What selecting a thread action came to. */
public sealed interface ActionResult {
  /** A ViewAction: a link for the person to open; nothing was sent. */
  record Link(String url) implements ActionResult {}

  /** An UpdateAction: the app was called, with this outcome, recorded as this delivery. */
  record Called(Outcome outcome, long deliveryId) implements ActionResult {}
}
