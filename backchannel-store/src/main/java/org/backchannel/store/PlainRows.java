package org.backchannel.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;

/**
 * Multi-row statements run with plain JDBC setters on the handle's connection, inside its
 * transaction. Jdbi binds every argument through a positional map and an argument-factory lookup;
 * for INSERTs of 64 rows of 14 to 16 values that was about a fifth of a batch publish's CPU.
 * Failures come back as Jdbi's own {@link UnableToExecuteStatementException}, as from any other
 * statement, so {@link Conflicts} and the callers see no difference.
 */
final class PlainRows {
  private PlainRows() {}

  /** Binds a statement's parameters in order. */
  @FunctionalInterface
  interface Binder {
    void bind(Params p) throws SQLException;
  }

  /** Binds one element's parameters in order. */
  @FunctionalInterface
  interface ElementBinder<E> {
    void bind(Params p, E element) throws SQLException;
  }

  /** The next parameter, set by its Java type. */
  static final class Params {
    private final PreparedStatement statement;
    private int next = 1;

    private Params(PreparedStatement statement) {
      this.statement = statement;
    }

    private void nextRow() {
      next = 1;
    }

    Params add(Object value) throws SQLException {
      switch (value) {
        case null -> statement.setNull(next, Types.OTHER); // as Jdbi binds an untyped null
        case Long l -> statement.setLong(next, l);
        case Integer i -> statement.setInt(next, i);
        case String s -> statement.setString(next, s);
        case Boolean b -> statement.setBoolean(next, b);
        case byte[] b -> statement.setBytes(next, b);
        default ->
            throw new IllegalArgumentException("no setter for " + value.getClass().getName());
      }
      next++;
      return this;
    }
  }

  /**
   * {@code rows} cut into pieces of {@code max}, then of the powers of two below it (64, 32, … 1),
   * so multi-row statements come in a handful of shapes, each parsed once and kept.
   */
  static <E> List<List<E>> chunks(List<E> rows, int max) {
    List<List<E>> out = new ArrayList<>();
    for (int from = 0; from < rows.size(); ) {
      int n = Math.min(max, Integer.highestOneBit(rows.size() - from));
      out.add(rows.subList(from, from + n));
      from += n;
    }
    return out;
  }

  /** The VALUES list of a multi-row INSERT: {@code row} ({@code "(?, ?)"}) {@code n} times. */
  static String values(String row, int n) {
    return String.join(", ", Collections.nCopies(n, row));
  }

  /** Runs a statement that returns rows ({@code INSERT … RETURNING}). */
  static <T> List<T> query(Handle h, String sql, Binder binder, RowMapper<T> mapper) {
    try (StatementCache.Lease lease = StatementCache.lease(h, sql)) {
      PreparedStatement statement = lease.statement();
      binder.bind(new Params(statement));
      statement.execute();
      List<T> rows = new ArrayList<>();
      try (ResultSet rs = statement.getResultSet()) {
        while (rs.next()) {
          rows.add(mapper.map(rs, null));
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new UnableToExecuteStatementException(e, null);
    }
  }

  /** Runs a statement that returns no rows; how many it changed. */
  static int update(Handle h, String sql, Binder binder) {
    try (StatementCache.Lease lease = StatementCache.lease(h, sql)) {
      PreparedStatement statement = lease.statement();
      binder.bind(new Params(statement));
      return statement.executeUpdate();
    } catch (SQLException e) {
      throw new UnableToExecuteStatementException(e, null);
    }
  }

  /** Runs the statement once per element, as one JDBC batch; how many rows each changed. */
  static <E> int[] batch(Handle h, String sql, List<E> elements, ElementBinder<E> binder) {
    try (StatementCache.Lease lease = StatementCache.lease(h, sql)) {
      PreparedStatement statement = lease.statement();
      Params p = new Params(statement);
      for (E e : elements) {
        binder.bind(p, e);
        statement.addBatch();
        p.nextRow();
      }
      return statement.executeBatch();
    } catch (SQLException e) {
      throw new UnableToExecuteStatementException(e, null);
    }
  }
}
