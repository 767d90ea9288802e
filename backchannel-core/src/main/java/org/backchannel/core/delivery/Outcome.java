package org.backchannel.core.delivery;

import com.fasterxml.jackson.databind.JsonNode;

/** What an answer means under its contract: decided in one place, {@link Interpreter}. */
public sealed interface Outcome {
  /** A short text for people and for the delivery list. */
  String summary();

  /**
   * The app accepted the call; {@code answer} is its JSON body, if it sent one. {@code unreadable}
   * says it sent a body that could not be read as JSON (only contracts that read any body say so).
   */
  record Succeeded(int status, JsonNode answer, boolean unreadable) implements Outcome {
    public Succeeded(int status, JsonNode answer) {
      this(status, answer, false);
    }

    @Override
    public String summary() {
      return "done (HTTP " + status + ")";
    }
  }

  /** The person must authenticate with the app first, at {@code url}. */
  record AuthenticationRequired(String url) implements Outcome {
    @Override
    public String summary() {
      return "authentication required";
    }
  }

  /**
   * The call failed: {@code status} is the app's answer, or null when none came; {@code reason} is
   * short and safe to show.
   */
  record Failed(Integer status, String reason) implements Outcome {
    @Override
    public String summary() {
      return "failed: " + reason;
    }
  }
}
