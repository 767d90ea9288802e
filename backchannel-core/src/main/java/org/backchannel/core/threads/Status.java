package org.backchannel.core.threads;

import java.util.Set;

/** A thread's coloured status label, e.g. green "open". */
public record Status(String color, String value) {
  /** The colours the Flowdock contract allows. */
  public static final Set<String> COLORS =
      Set.of("red", "green", "yellow", "cyan", "orange", "grey", "black", "lime", "purple", "blue");
}
