package org.backchannel.core.deliveries;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.backchannel.core.store.Store;
import org.backchannel.core.store.Tx;

/**
 * Group commit: concurrent callers' work is written in one transaction, and each caller returns
 * only once that transaction has committed, so an answer still means "durable". A commit is the
 * store's costly step (a WAL flush; on SQLite also the one write lock), so sharing it lets many
 * publishes cost about as much as one.
 *
 * <p>No thread of its own: a caller that finds a leader's place free leads a transaction for what
 * is queued (up to {@code maxGroup}); the others wait, and the oldest of them leads the next. If
 * one caller's work throws, the transaction rolls back, that caller gets its error and the rest are
 * written again without it; if the transaction itself fails (begin or commit), every caller in it
 * fails.
 */
final class CommitGroup {
  private final Store store;
  private final int maxGroup;
  private final Semaphore leaders;
  private final ConcurrentLinkedQueue<Pending<?>> queue = new ConcurrentLinkedQueue<>();

  /**
   * @param maxGroup how many callers' work one transaction takes at most
   * @param maxLeaders how many group transactions may run at once: 1 where the database has one
   *     writer anyway (SQLite), more where statements of concurrent transactions overlap
   */
  CommitGroup(Store store, int maxGroup, int maxLeaders) {
    this.store = store;
    this.maxGroup = maxGroup;
    this.leaders = new Semaphore(maxLeaders);
  }

  /**
   * A caller's work; {@code context} is its trace context, current while a leader (maybe another
   * caller's thread) runs it, so what it queues is its own request's child. Root when untraced.
   */
  private record Pending<T>(
      Function<Tx, T> work, CompletableFuture<T> result, Thread owner, Context context) {}

  /** Runs {@code work} in a transaction shared with concurrent callers; returns once committed. */
  <T> T run(Function<Tx, T> work) {
    Pending<T> mine =
        new Pending<>(work, new CompletableFuture<>(), Thread.currentThread(), Context.current());
    queue.add(mine);
    // Whoever stops leading wakes the owner of the oldest queued work to lead next, so no one
    // waits on a leader that has already left; and no leader serves beyond its own.
    while (!mine.result().isDone()) {
      if (leaders.tryAcquire()) {
        boolean committed;
        try {
          committed = commitQueued();
        } finally {
          leaders.release();
        }
        Pending<?> next = queue.peek();
        if (next != null) {
          LockSupport.unpark(next.owner());
        }
        if (!committed && !mine.result().isDone()) {
          // Another leader took this work and is committing it; it wakes us when done.
          LockSupport.park(this);
        }
      } else {
        LockSupport.park(this);
      }
    }
    try {
      return mine.result().get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a commit", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** How many callers wait for a commit (for tests). */
  int queued() {
    return queue.size();
  }

  /** Commits what is queued (up to {@code maxGroup}); false if there was nothing. */
  private boolean commitQueued() {
    List<Pending<?>> group = new ArrayList<>();
    for (Pending<?> p; group.size() < maxGroup && (p = queue.poll()) != null; ) {
      group.add(p);
    }
    if (group.isEmpty()) {
      return false;
    }
    while (!group.isEmpty()) {
      List<Pending<?>> members = group;
      List<Object> results;
      try {
        results =
            store.transaction(
                (Tx tx) -> {
                  List<Object> out = new ArrayList<>(members.size());
                  for (int i = 0; i < members.size(); i++) {
                    try {
                      out.add(apply(members.get(i), tx));
                    } catch (RuntimeException e) {
                      throw new WorkFailed(i, e);
                    }
                  }
                  return out;
                });
      } catch (WorkFailed f) {
        // Rolled back before any commit: that caller gets its own error, the rest go again.
        fail(members.get(f.index), f.getCause());
        group = new ArrayList<>(members);
        group.remove(f.index);
        continue;
      } catch (RuntimeException | Error e) {
        members.forEach(p -> fail(p, e));
        return true;
      }
      for (int i = 0; i < members.size(); i++) {
        complete(members.get(i), results.get(i));
      }
      return true;
    }
    return true;
  }

  /** Runs a caller's work in its own trace context (nothing to switch while tracing is off). */
  private static Object apply(Pending<?> member, Tx tx) {
    if (member.context() == Context.current()) {
      return member.work().apply(tx);
    }
    try (Scope ignored = member.context().makeCurrent()) {
      return member.work().apply(tx);
    }
  }

  /** One caller's work threw: the shared transaction rolls back and it alone is answered. */
  private static final class WorkFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int index;

    WorkFailed(int index, RuntimeException cause) {
      super(cause.getMessage(), cause, false, false);
      this.index = index;
    }
  }

  private static void fail(Pending<?> p, Throwable e) {
    p.result().completeExceptionally(e);
    LockSupport.unpark(p.owner());
  }

  @SuppressWarnings("unchecked")
  private static <T> void complete(Pending<T> p, Object result) {
    p.result().complete((T) result);
    LockSupport.unpark(p.owner());
  }
}
