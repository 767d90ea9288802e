package org.backchannel.store;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.WeakHashMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.DefaultStatementBuilder;
import org.jdbi.v3.core.statement.StatementBuilder;
import org.jdbi.v3.core.statement.StatementBuilderFactory;
import org.jdbi.v3.core.statement.StatementContext;
import org.sqlite.SQLiteConnection;

/**
 * Prepared statements kept per SQLite connection and used again. The SQLite driver compiles every
 * statement it is asked to prepare, and HikariCP leaves statement caching to the driver; for a chat
 * post or a publish that compiling was a quarter of {@code serve}'s CPU (PostgreSQL's driver keeps
 * its own cache, so this is for SQLite only).
 *
 * <p>Statements are made on the pool's physical connection, so they live as long as it does (the
 * driver finalises them when it closes), and each connection keeps its {@value #PER_CONNECTION}
 * most recently used. A statement handed out is not handed out again until it is given back: a
 * nested use of the same SQL gets a statement of its own, closed after use. Every use closes its
 * result set, which resets the statement, so a kept one holds no lock or snapshot.
 */
final class StatementCache implements StatementBuilderFactory {
  static final int PER_CONNECTION = 128;

  private final Map<Connection, Kept> byConnection =
      Collections.synchronizedMap(new WeakHashMap<>());

  /** One physical connection's statements; only the thread holding the connection uses it. */
  private static final class Kept {
    // Kept statements handed out, with the SQL they are kept under (Jdbi gives a statement back
    // with its SQL before parsing, so the statement itself is the key).
    final Map<PreparedStatement, String> lent = new IdentityHashMap<>();
    final LinkedHashMap<String, PreparedStatement> bySql =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, PreparedStatement> eldest) {
            if (size() <= PER_CONNECTION) {
              return false;
            }
            if (!lent.containsKey(eldest.getValue())) {
              closeQuietly(eldest.getValue());
            } // else: closed when given back, as it is no longer kept
            return true;
          }
        };
  }

  /** A statement for {@code sql} on the connection {@code connection} (a pool's proxy) wraps. */
  PreparedStatement prepare(Connection connection, String sql) throws SQLException {
    Connection physical = connection.unwrap(SQLiteConnection.class);
    Kept kept = byConnection.computeIfAbsent(physical, c -> new Kept());
    PreparedStatement s = kept.bySql.get(sql);
    if (s != null && !s.isClosed() && !kept.lent.containsKey(s)) {
      kept.lent.put(s, sql);
      return s;
    }
    PreparedStatement fresh = physical.prepareStatement(sql);
    if (s == null || s.isClosed()) {
      kept.bySql.put(sql, fresh);
      kept.lent.put(fresh, sql);
    }
    return fresh;
  }

  /** Gives back a statement from {@link #prepare}: kept for the next use, or closed. */
  void release(Connection connection, PreparedStatement s) throws SQLException {
    Kept kept = byConnection.get(connection.unwrap(SQLiteConnection.class));
    String sql = kept == null ? null : kept.lent.remove(s);
    if (sql != null && kept.bySql.get(sql) == s) {
      s.clearParameters();
      return;
    }
    s.close();
  }

  /** A statement for the length of a try block, from the cache when the handle's store has one. */
  static Lease lease(Handle h, String sql) throws SQLException {
    if (h.getStatementBuilder() instanceof Builder b) {
      return new Lease(b.owner(), h.getConnection(), b.owner().prepare(h.getConnection(), sql));
    }
    return new Lease(null, h.getConnection(), h.getConnection().prepareStatement(sql));
  }

  /** A statement in use; closing it gives it back. */
  record Lease(StatementCache cache, Connection connection, PreparedStatement statement)
      implements AutoCloseable {
    @Override
    public void close() throws SQLException {
      if (cache == null) {
        statement.close();
      } else {
        cache.release(connection, statement);
      }
    }
  }

  @Override
  public StatementBuilder createStatementBuilder(Connection conn) {
    return new Builder(this);
  }

  /** Jdbi's side: prepared statements from the cache, anything unusual made as Jdbi would. */
  private record Builder(StatementCache owner) implements StatementBuilder {
    private static final StatementBuilder DEFAULT = new DefaultStatementBuilder();

    @Override
    public Statement create(Connection conn, StatementContext ctx) throws SQLException {
      return DEFAULT.create(conn, ctx);
    }

    @Override
    public PreparedStatement create(Connection conn, String sql, StatementContext ctx)
        throws SQLException {
      if (ctx.isReturningGeneratedKeys() || ctx.isConcurrentUpdatable()) {
        return DEFAULT.create(conn, sql, ctx);
      }
      return owner.prepare(conn, sql);
    }

    @Override
    public CallableStatement createCall(Connection conn, String sql, StatementContext ctx)
        throws SQLException {
      return DEFAULT.createCall(conn, sql, ctx);
    }

    @Override
    public void close(Connection conn, String sql, Statement stmt) throws SQLException {
      if (stmt instanceof PreparedStatement ps && !(stmt instanceof CallableStatement)) {
        owner.release(conn, ps);
      } else {
        stmt.close();
      }
    }
  }

  private static void closeQuietly(Statement s) {
    try {
      s.close();
    } catch (SQLException ignored) {
      // Dropped from the cache either way; the driver finalises it when the connection closes.
    }
  }
}
