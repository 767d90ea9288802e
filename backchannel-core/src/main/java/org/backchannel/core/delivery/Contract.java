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
  NATIVE
}
