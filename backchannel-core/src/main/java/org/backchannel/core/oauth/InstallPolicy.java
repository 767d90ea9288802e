package org.backchannel.core.oauth;

import java.util.Locale;
import java.util.Optional;

/** Which apps the people of a workspace may authorise by themselves. */
public enum InstallPolicy {
  /** Any app registered in the workspace. */
  ANY,
  /** Only apps an admin approved (those in the app directory). */
  APPROVED,
  /** None: only admins connect apps, by making sources. */
  NONE;

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<InstallPolicy> of(String wire) {
    for (InstallPolicy p : values()) {
      if (p.wire().equals(wire)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }
}
