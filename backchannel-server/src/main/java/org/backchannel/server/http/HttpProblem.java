package org.backchannel.server.http;

import java.util.List;
import java.util.Map;
import org.backchannel.core.Problem;

/**
 * A refused request as HTTP says it: the one place each kind of {@link Problem} gets its status,
 * for the API's JSON and the web UI's pages alike. The switch is exhaustive, so a new kind of
 * problem does not compile until it has a status here.
 *
 * @param errors each field's reasons, for the kinds that name fields; empty otherwise
 */
public record HttpProblem(int status, String message, Map<String, List<String>> errors) {
  public static HttpProblem of(Problem problem) {
    String message = problem.getMessage();
    return switch (problem) {
      case Problem.Invalid p -> new HttpProblem(400, message, p.errors());
      case Problem.Unprocessable p -> new HttpProblem(422, message, p.errors());
      case Problem.Unauthorized p -> new HttpProblem(401, message, Map.of());
      case Problem.Forbidden p -> new HttpProblem(403, message, p.errors());
      case Problem.NotFound p -> new HttpProblem(404, message, Map.of());
      case Problem.Conflict p -> new HttpProblem(409, message, Map.of());
    };
  }

  /** Whether the problem names fields, answered as a validation error. */
  public boolean hasFields() {
    return !errors.isEmpty();
  }

  /** The fields' reasons as one sentence: {@code name reason, reason; other reason}. */
  public String reasons() {
    return String.join(
        "; ",
        errors.entrySet().stream()
            .map(x -> x.getKey() + " " + String.join(", ", x.getValue()))
            .toList());
  }

  /**
   * The status for a body that could not be read (Jetty's own status for broken framing, else 400),
   * or null when the exception is not about reading the request.
   */
  public static Integer unreadable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.eclipse.jetty.http.HttpException h && h.getCode() < 500) {
        return h.getCode();
      }
      if (t instanceof org.eclipse.jetty.io.EofException) {
        return 400; // the client stopped sending mid-body
      }
    }
    return null;
  }
}
