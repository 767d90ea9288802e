package org.backchannel.store;

import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.backchannel.core.Problem;
import org.jdbi.v3.core.JdbiException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** Turns a unique-constraint violation into a {@link Problem.Conflict} that says what clashed. */
final class Conflicts {
  private static final String PG_UNIQUE_VIOLATION = "23505";

  private Conflicts() {}

  /**
   * Runs {@code statement}; on a unique violation throws a conflict whose message is the one keyed
   * by the first column name the database's message mentions (or a general one).
   */
  static <T> T translate(Supplier<T> statement, Map<String, String> messagesByColumn) {
    try {
      return statement.get();
    } catch (JdbiException e) {
      SQLException violation = uniqueViolation(e);
      if (violation == null) {
        throw e;
      }
      String detail = String.valueOf(violation.getMessage()).toLowerCase(Locale.ROOT);
      String message =
          messagesByColumn.entrySet().stream()
              .filter(entry -> detail.contains(entry.getKey()))
              .map(Map.Entry::getValue)
              .findFirst()
              .orElse("that already exists");
      Problem.Conflict conflict = new Problem.Conflict(message);
      conflict.initCause(e);
      throw conflict;
    }
  }

  private static SQLException uniqueViolation(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLiteException s
          && (s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_UNIQUE
              || s.getResultCode() == SQLiteErrorCode.SQLITE_CONSTRAINT_PRIMARYKEY)) {
        return s;
      }
      if (t instanceof SQLException s && PG_UNIQUE_VIOLATION.equals(s.getSQLState())) {
        return s;
      }
    }
    return null;
  }
}
