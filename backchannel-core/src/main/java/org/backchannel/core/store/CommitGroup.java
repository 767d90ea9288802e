package org.backchannel.core.store;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.LockSupport;
import java.util.function.ToIntFunction;

/**
 * Group commit: concurrent callers' inputs are written together, by one call of the group's work in
 * one transaction, and each caller returns only once that transaction has committed, so an answer
 * still means "durable". A commit is the store's costly step (a WAL flush; on SQLite also the one
 * write lock), and so is each statement: merging the inputs lets many publishes cost about as much
 * as one, in statements as well as commits.
 *
 * <p>No thread of its own: a caller that finds a leader's place free leads a transaction for what
 * is queued (up to {@code maxWeight}); the others wait, and the oldest of them leads the next. If
 * the group's work or its transaction fails, each input is written again on its own, so one
 * caller's bad input fails only that caller.
 *
 * @param <I> one caller's input
 * @param <O> what that caller gets back
 */
public final class CommitGroup<I, O> {
  /** The work for many callers at once: one output per input, in order. */
  @FunctionalInterface
  public interface Work<I, O> {
    List<O> apply(Tx tx, List<I> inputs);
  }

  private final Store store;
  private final int maxWeight;
  private final ToIntFunction<I> weight;
  private final Work<I, O> work;
  private final Semaphore leaders;
  private final ConcurrentLinkedDeque<Pending<I, O>> queue = new ConcurrentLinkedDeque<>();

  /**
   * A group whose transactions run one at a time on SQLite (one writer anyway) and up to four at
   * once on PostgreSQL (its statements overlap, and it flushes concurrent commits together).
   *
   * @param maxWeight how much one transaction takes at most, by {@code weight} (it always takes at
   *     least one input)
   */
  public CommitGroup(Store store, int maxWeight, ToIntFunction<I> weight, Work<I, O> work) {
    this(store, maxWeight, store.kind().equals("sqlite") ? 1 : 4, weight, work);
  }

  /** With {@code maxLeaders} group transactions at once at most. */
  CommitGroup(
      Store store, int maxWeight, int maxLeaders, ToIntFunction<I> weight, Work<I, O> work) {
    this.store = store;
    this.maxWeight = maxWeight;
    this.weight = weight;
    this.work = work;
    this.leaders = new Semaphore(maxLeaders);
  }

  private record Pending<I, O>(I input, CompletableFuture<O> result, Thread owner) {}

  /**
   * Writes {@code input} in a transaction shared with concurrent callers; returns once committed.
   */
  public O run(I input) {
    Pending<I, O> mine = new Pending<>(input, new CompletableFuture<>(), Thread.currentThread());
    queue.add(mine);
    // Whoever stops leading wakes the owner of the oldest queued input to lead next, so no one
    // waits on a leader that has already left; and no leader serves beyond its own.
    while (!mine.result().isDone()) {
      if (leaders.tryAcquire()) {
        boolean committed;
        try {
          committed = commitQueued();
        } finally {
          leaders.release();
        }
        Pending<I, O> next = queue.peek();
        if (next != null) {
          LockSupport.unpark(next.owner());
        }
        if (!committed && !mine.result().isDone()) {
          // Another leader took this input and is committing it; it wakes us when done.
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

  /** Commits what is queued (up to {@code maxWeight}); false if there was nothing. */
  private boolean commitQueued() {
    List<Pending<I, O>> group = new ArrayList<>();
    int taken = 0;
    for (Pending<I, O> p; (p = queue.pollFirst()) != null; ) {
      int w = weight.applyAsInt(p.input());
      if (!group.isEmpty() && taken + w > maxWeight) {
        queue.offerFirst(p); // the next group's first
        break;
      }
      group.add(p);
      taken += w;
    }
    if (group.isEmpty()) {
      return false;
    }
    try {
      List<O> out = write(group);
      for (int i = 0; i < group.size(); i++) {
        complete(group.get(i), out.get(i));
      }
    } catch (RuntimeException | Error e) {
      if (group.size() == 1) {
        fail(group.get(0), e);
      } else {
        // Rolled back: nobody's input is written. Each goes again alone and gets its own answer.
        for (Pending<I, O> p : group) {
          try {
            complete(p, write(List.of(p)).get(0));
          } catch (RuntimeException | Error alone) {
            fail(p, alone);
          }
        }
      }
    }
    return true;
  }

  private List<O> write(List<Pending<I, O>> group) {
    List<I> inputs = new ArrayList<>(group.size());
    group.forEach(p -> inputs.add(p.input()));
    List<O> out = store.transaction((Tx tx) -> work.apply(tx, inputs));
    if (out.size() != inputs.size()) {
      throw new IllegalStateException(
          "the group's work answered " + out.size() + " of " + inputs.size());
    }
    return out;
  }

  private static void fail(Pending<?, ?> p, Throwable e) {
    p.result().completeExceptionally(e);
    LockSupport.unpark(p.owner());
  }

  private static <O> void complete(Pending<?, O> p, O result) {
    p.result().complete(result);
    LockSupport.unpark(p.owner());
  }
}
