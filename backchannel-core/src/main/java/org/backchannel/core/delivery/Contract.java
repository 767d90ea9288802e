package org.backchannel.core.delivery;

/** Which public contract a call speaks: decides its signing headers and how its answer reads. */
public enum Contract {
  /** Flowdock UpdateActions: FLOWDOCK-TOKEN, 401 challenges. */
  FLOWDOCK,
  /** Flock app events: X-Flock-Event-Token, answers per event. */
  FLOCK,
  /** Flowdash API Call steps: configured headers, {@code {"task":{...}}} answers. */
  FLOWDASH,
  /** Standard Webhooks only. */
  NATIVE;

  /**
   * A person's id as this contract writes it (a token's subject): Flock names people {@code u:42},
   * the others by the number alone. Null for no person.
   */
  public String actor(Long userId) {
    if (userId == null) {
      return null;
    }
    return this == FLOCK ? "u:" + userId : Long.toString(userId);
  }
}
