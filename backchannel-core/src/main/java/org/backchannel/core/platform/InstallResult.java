package org.backchannel.core.platform;

import org.backchannel.core.delivery.Outcome;

/** The end of an install: installed, or refused by the app (nothing installed). */
public sealed interface InstallResult {
  long deliveryId();

  record Installed(Install install, long deliveryId) implements InstallResult {}

  record Failed(Outcome.Failed failure, long deliveryId) implements InstallResult {}
}
