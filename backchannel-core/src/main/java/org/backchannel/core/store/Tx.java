package org.backchannel.core.store;

import org.backchannel.core.apps.AppStore;
import org.backchannel.core.delivery.DeliveryStore;
import org.backchannel.core.platform.PlatformStore;
import org.backchannel.core.threads.ThreadStore;
import org.backchannel.core.web.WebStore;
import org.backchannel.core.workflows.WorkflowStore;
import org.backchannel.core.workspace.WorkspaceStore;

/**
 * Everything that can be read or written inside one transaction. Features added later expose their
 * storage through an accessor here (e.g. {@code workflows()}), rather than widening this interface
 * with more methods.
 */
public interface Tx extends WorkspaceStore, AppStore, ThreadStore, DeliveryStore {
  WorkflowStore workflows();

  /** App registrations, installs and chat messages (the Flock model). */
  PlatformStore platform();

  /** Web UI passwords, setup links and sessions. */
  WebStore web();
}
