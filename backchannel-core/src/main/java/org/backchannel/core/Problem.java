package org.backchannel.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request that cannot be carried out, and why. The HTTP layer maps each kind to one status; none
 * of them is a server error, and none leaves a change behind.
 */
public abstract sealed class Problem extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private Problem(String message) {
    super(message);
  }

  /** Input broke a rule: each field names its reasons. */
  public static final class Invalid extends Problem {
    private static final long serialVersionUID = 1L;
    private final transient Map<String, List<String>> errors;

    public Invalid(Map<String, List<String>> errors) {
      super("Validation error: " + errors);
      this.errors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(errors));
    }

    public static Invalid of(String field, String reason) {
      return new Invalid(Map.of(field, List.of(reason)));
    }

    public Map<String, List<String>> errors() {
      return errors;
    }
  }

  /**
   * Well-formed input that cannot be applied, such as a task missing required fields or an action
   * whose requirements are unmet: the workflow APIs answer these with 422, as Flowdash does.
   */
  public static final class Unprocessable extends Problem {
    private static final long serialVersionUID = 1L;
    private final transient Map<String, List<String>> errors;

    public Unprocessable(Map<String, List<String>> errors) {
      super("Unprocessable: " + errors);
      this.errors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(errors));
    }

    public static Unprocessable of(String field, String reason) {
      return new Unprocessable(Map.of(field, List.of(reason)));
    }

    public Map<String, List<String>> errors() {
      return errors;
    }
  }

  /** The thing does not exist, or the caller may not know that it does. */
  public static final class NotFound extends Problem {
    private static final long serialVersionUID = 1L;

    public NotFound(String what) {
      super(what + " not found");
    }

    /** Not found, with what may have become of it. */
    public NotFound(String what, String hint) {
      super(what + " not found: " + hint);
    }
  }

  /** The caller's credential is missing, wrong or revoked. */
  public static final class Unauthorized extends Problem {
    private static final long serialVersionUID = 1L;

    public Unauthorized(String message) {
      super(message);
    }
  }

  /**
   * The caller is known but may not do this. An app's access token outside its grant's scopes also
   * names what it lacks ({@code errors}: {@code scope}), so that the app can ask for it.
   */
  public static final class Forbidden extends Problem {
    private static final long serialVersionUID = 1L;
    private final transient Map<String, List<String>> errors;

    public Forbidden(String message) {
      this(message, Map.of());
    }

    public Forbidden(String message, Map<String, List<String>> errors) {
      super(message);
      this.errors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(errors));
    }

    public Map<String, List<String>> errors() {
      return errors;
    }
  }

  /** The request conflicts with the current state. */
  public static final class Conflict extends Problem {
    private static final long serialVersionUID = 1L;

    public Conflict(String message) {
      super(message);
    }
  }
}
