package org.backchannel.store;

import static org.backchannel.store.Rows.millis;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.backchannel.core.Json;
import org.backchannel.core.PageRequest;
import org.backchannel.core.Problem;
import org.backchannel.core.threads.FlowThread;
import org.backchannel.core.threads.Message;
import org.backchannel.core.threads.NewMessage;
import org.backchannel.core.threads.ThreadData;
import org.backchannel.core.threads.ThreadJson;
import org.backchannel.core.threads.ThreadStore;
import org.jdbi.v3.core.Handle;

/** Threads and messages, on one transaction's handle. */
final class JdbcThreadStore implements ThreadStore {
  /** Messages per INSERT statement at most (9 parameters each). */
  private static final int MESSAGE_ROWS = 64;

  private final Handle h;
  private final Dialect dialect;

  JdbcThreadStore(Handle h, Dialect dialect) {
    this.h = h;
    this.dialect = dialect;
  }

  @Override
  public Optional<FlowThread> threadByExternalId(long sourceId, String externalThreadId) {
    // PostgreSQL: locked until the transaction ends, so concurrent posts that change one thread's
    // members merge them one after another instead of the last overwriting the others (SQLite has
    // one writer at a time anyway).
    String lock = dialect == Dialect.POSTGRESQL ? " FOR NO KEY UPDATE" : "";
    return h.createQuery(
            "SELECT "
                + Rows.THREAD
                + " FROM threads WHERE source_id = :source AND external_thread_id = :ext"
                + lock)
        .bind("source", sourceId)
        .bind("ext", externalThreadId)
        .map(Rows.THREADS)
        .findOne();
  }

  @Override
  public Optional<FlowThread> insertThread(
      long flowId, long sourceId, String externalThreadId, ThreadData data, Instant now) {
    // PostgreSQL waits here for a concurrent insert of the same key, then inserts nothing.
    return h.createQuery(
            "INSERT INTO threads (flow_id, source_id, external_thread_id, data, created_at,"
                + " updated_at) VALUES (:flow, :source, :ext, :data, :now, :now)"
                + " ON CONFLICT (source_id, external_thread_id) DO NOTHING RETURNING "
                + Rows.THREAD)
        .bind("flow", flowId)
        .bind("source", sourceId)
        .bind("ext", externalThreadId)
        .bind("data", ThreadJson.write(data))
        .bind("now", millis(now))
        .map(Rows.THREADS)
        .findOne();
  }

  @Override
  public FlowThread updateThread(long threadId, ThreadData data, Instant now) {
    return h.createQuery(
            "UPDATE threads SET data = :data, updated_at = :now WHERE id = :id RETURNING "
                + Rows.THREAD)
        .bind("data", ThreadJson.write(data))
        .bind("now", millis(now))
        .bind("id", threadId)
        .map(Rows.THREADS)
        .findOne()
        .orElseThrow(() -> new Problem.NotFound("thread " + threadId));
  }

  @Override
  public Optional<FlowThread> thread(long id) {
    return h.createQuery("SELECT " + Rows.THREAD + " FROM threads WHERE id = :id")
        .bind("id", id)
        .map(Rows.THREADS)
        .findOne();
  }

  @Override
  public List<FlowThread> threads(long flowId, PageRequest page) {
    return Paging.paged(h, "SELECT " + Rows.THREAD + " FROM threads WHERE flow_id = :flow", page)
        .bind("flow", flowId)
        .map(Rows.THREADS)
        .list();
  }

  @Override
  public List<Message> insertMessages(List<NewMessage> messages) {
    List<Message> written = new ArrayList<>(messages.size());
    for (List<NewMessage> chunk : PlainRows.chunks(messages, MESSAGE_ROWS)) {
      written.addAll(insertRows(chunk));
    }
    return written;
  }

  private List<Message> insertRows(List<NewMessage> messages) {
    StringBuilder sql =
        new StringBuilder(
            "INSERT INTO messages (flow_id, thread_id, source_id, user_id, event, author, title,"
                + " body, created_at) VALUES ");
    sql.append(PlainRows.values("(?, ?, ?, ?, ?, ?, ?, ?, ?)", messages.size()));
    sql.append(" RETURNING ").append(Rows.MESSAGE);
    List<Message> written =
        new ArrayList<>(
            PlainRows.query(
                h,
                sql.toString(),
                p -> {
                  for (NewMessage m : messages) {
                    p.add(m.flowId())
                        .add(m.threadId())
                        .add(m.sourceId())
                        .add(m.userId())
                        .add(m.event())
                        .add(m.author() == null ? null : Json.write(m.author()))
                        .add(m.title())
                        .add(m.body())
                        .add(millis(m.at()));
                  }
                },
                Rows.MESSAGES));
    // RETURNING promises no order; ids are given in the order of the VALUES, so sort by them
    written.sort(Comparator.comparingLong(Message::id));
    return written;
  }

  @Override
  public List<Message> messagesOfThread(long threadId, PageRequest page) {
    return Paging.paged(
            h, "SELECT " + Rows.MESSAGE + " FROM messages WHERE thread_id = :thread", page)
        .bind("thread", threadId)
        .map(Rows.MESSAGES)
        .list();
  }

  @Override
  public List<Message> messagesOfFlow(long flowId, PageRequest page) {
    return Paging.paged(h, "SELECT " + Rows.MESSAGE + " FROM messages WHERE flow_id = :flow", page)
        .bind("flow", flowId)
        .map(Rows.MESSAGES)
        .list();
  }
}
