package org.backchannel.core.platform;

import org.backchannel.core.delivery.Contract;

/**
 * Flock-style ids: {@code u:} people, {@code g:} flows (groups), {@code b:} bots, {@code m:}
 * messages.
 */
public final class PlatformIds {
  private PlatformIds() {}

  public static String user(long id) {
    return Contract.FLOCK.actor(id);
  }

  public static String flow(long id) {
    return "g:" + id;
  }

  public static String bot(long appId) {
    return "b:" + appId;
  }

  public static String message(long id) {
    return "m:" + id;
  }

  /** The number after {@code prefix}, or -1 when {@code id} is not of that kind. */
  static long parse(String id, String prefix) {
    if (id == null || !id.startsWith(prefix)) {
      return -1;
    }
    try {
      long value = Long.parseLong(id.substring(prefix.length()));
      return value < 0 ? -1 : value;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
