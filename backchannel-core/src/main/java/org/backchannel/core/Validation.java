package org.backchannel.core;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Collects every reason a request is invalid, so the caller learns them all at once. */
public final class Validation {
  private final Map<String, List<String>> errors = new LinkedHashMap<>();

  public Validation add(String field, String reason) {
    errors.computeIfAbsent(field, k -> new ArrayList<>()).add(reason);
    return this;
  }

  /** Adds "is required" for a null or blank value; returns whether it was present. */
  public boolean required(String field, String value) {
    if (value == null || value.isBlank()) {
      add(field, "is required");
      return false;
    }
    return true;
  }

  /** Adds a reason when a present value is longer than {@code max} characters. */
  public void maxLength(String field, String value, int max) {
    if (value != null && value.length() > max) {
      add(field, "must be at most " + max + " characters");
    }
  }

  /** Adds a reason when a present value is not an absolute http(s) URL. */
  public void httpUrl(String field, String value) {
    if (value != null && !isHttpUrl(value)) {
      add(field, "must be an absolute http or https URL");
    }
  }

  public static boolean isHttpUrl(String value) {
    try {
      URI uri = new URI(value);
      String scheme = uri.getScheme();
      return ("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))
          && uri.getHost() != null;
    } catch (Exception e) {
      return false;
    }
  }

  /** Every reason collected, by field. */
  public Map<String, List<String>> errors() {
    return java.util.Collections.unmodifiableMap(errors);
  }

  public boolean ok() {
    return errors.isEmpty();
  }

  /** Throws {@link Problem.Invalid} with every reason collected, if there is any. */
  public void throwIfInvalid() {
    if (!errors.isEmpty()) {
      throw new Problem.Invalid(errors);
    }
  }

  /** Throws {@link Problem.Unprocessable} with every reason collected, if there is any. */
  public void throwIfUnprocessable() {
    if (!errors.isEmpty()) {
      throw new Problem.Unprocessable(errors);
    }
  }
}
