package org.backchannel.core;

/**
 * Something just created, with the secret that goes with it. The secret is shown this once and
 * never stored in a form that gives it back.
 */
public record Created<T>(T value, String secret) {
  @Override
  public String toString() {
    return "Created[" + value + ", secret=[redacted]]";
  }
}
