package org.backchannel.core.delivery;

import java.time.Duration;
import java.util.Map;

/** What came of sending one request: an answer, or the reason there was none. */
public sealed interface Exchange {
  Duration elapsed();

  /**
   * The app answered. Header names are lower case; {@code body} holds at most the sender's cap, and
   * {@code truncated} says whether there was more.
   */
  record Answered(
      int status, Map<String, String> headers, byte[] body, boolean truncated, Duration elapsed)
      implements Exchange {}

  /** No answer came. */
  record Unanswered(Failure failure, String message, Duration elapsed) implements Exchange {}

  /** Why no answer came. */
  enum Failure {
    /** The whole exchange did not finish within its bound. */
    TIMEOUT,
    /** Nothing listens there. */
    REFUSED,
    /** Every address of the host is one Backchannel will not call. */
    BLOCKED,
    /** The host name does not resolve. */
    UNRESOLVED,
    /** The connection broke. */
    IO
  }
}
