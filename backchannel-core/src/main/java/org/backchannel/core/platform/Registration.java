package org.backchannel.core.platform;

import java.time.Instant;
import java.util.List;

/**
 * An app's platform registration: where its events go, which URLs it previews (glob patterns where
 * {@code *} matches anything), and its controls. An app without one gets no events.
 */
public record Registration(
    long appId,
    String eventListenerUrl,
    List<String> urlPatterns,
    List<Control> controls,
    Instant updatedAt) {
  public Registration {
    urlPatterns = List.copyOf(urlPatterns);
    controls = List.copyOf(controls);
  }
}
