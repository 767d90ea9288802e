package org.backchannel.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.backchannel.core.Problem;
import org.backchannel.core.workspace.Workspace;
import org.backchannel.core.workspace.WorkspaceStore;
import org.backchannel.testkit.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Group commit on both databases: shared commits, and answers only once committed. */
class CommitGroupTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final int CALLERS = 20;

  /** The real store, counting its transactions and able to make them fail at the end. */
  static final class Counting implements Store {
    final Store real;
    final AtomicInteger transactions = new AtomicInteger();
    volatile boolean failCommits;

    Counting(Store real) {
      this.real = real;
    }

    @Override
    public <T> T transaction(Function<Tx, T> work) {
      transactions.incrementAndGet();
      return real.transaction(
          (Tx tx) -> {
            T result = work.apply(tx);
            if (failCommits) {
              throw new IllegalStateException("the commit failed");
            }
            return result;
          });
    }

    @Override
    public <T> T read(Function<Tx, T> work) {
      return real.read(work);
    }

    @Override
    public String kind() {
      return real.kind();
    }

    @Override
    public void close() {
      real.close();
    }
  }

  abstract static class Contract {
    Counting store;
    CommitGroup<String, Workspace> group;
    ExecutorService threads;
    final CountDownLatch release = new CountDownLatch(1);

    abstract Store open();

    @BeforeEach
    void setUp() {
      store = new Counting(open());
      group = inserting(256, 1);
      threads = Executors.newVirtualThreadPerTaskExecutor();
    }

    @AfterEach
    void tearDown() {
      release.countDown();
      threads.shutdownNow();
      store.close();
    }

    final CountDownLatch inside = new CountDownLatch(1);
    final AtomicInteger calls = new AtomicInteger();

    /**
     * A group whose work inserts a workspace per name, in one call for the group; the name "first"
     * holds its commit open until {@link #release}, and "bad" is refused.
     */
    CommitGroup<String, Workspace> inserting(int maxWeight, int leaders) {
      return new CommitGroup<>(
          store,
          maxWeight,
          leaders,
          name -> 1,
          (tx, names) -> {
            calls.incrementAndGet();
            List<Workspace> out = new ArrayList<>();
            for (String name : names) {
              if (name.equals("first")) {
                inside.countDown();
                await(release);
              }
              if (name.equals("bad")) {
                throw Problem.Invalid.of("name", "is not acceptable");
              }
              out.add(tx.store(WorkspaceStore.class).insertWorkspace(name, T0));
            }
            return out;
          });
    }

    /** A caller whose input holds its commit open until {@link #release}: the next ones queue. */
    Future<Workspace> blockingCaller() {
      Future<Workspace> first = threads.submit(() -> group.run("first"));
      await(inside);
      return first;
    }

    /** Callers that each insert a workspace and, once answered, read it back from a new read. */
    List<Future<Workspace>> callers(int n, Function<Integer, String> name) {
      List<Future<Workspace>> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String w = name.apply(i);
        out.add(
            threads.submit(
                () -> {
                  Workspace created = group.run(w);
                  // Answered means committed: another connection sees it at once.
                  assertThat(
                          store.read(
                              (Tx t) -> t.store(WorkspaceStore.class).workspace(created.id())))
                      .contains(created);
                  return created;
                }));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (group.queued() < n && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(group.queued()).isEqualTo(n);
      return out;
    }

    @Test
    void concurrentCallersShareOneCommitAndEachIsAnsweredOnlyOnceCommitted() throws Exception {
      Future<Workspace> first = blockingCaller();
      List<Future<Workspace>> rest = callers(CALLERS, i -> "w" + i);
      release.countDown();
      first.get(10, TimeUnit.SECONDS);
      for (Future<Workspace> f : rest) {
        assertThat(f.get(10, TimeUnit.SECONDS).id()).isPositive();
      }
      // The first caller's commit, then one for all those who queued behind it, in one call.
      assertThat(store.transactions.get()).isEqualTo(2);
      assertThat(calls.get()).isEqualTo(2);
      assertThat(store.read((Tx t) -> t.store(WorkspaceStore.class).workspaces()))
          .hasSize(CALLERS + 1);
    }

    @Test
    void aGroupTakesNoMoreThanItsWeightAndTheRestCommitNext() throws Exception {
      group = inserting(5, 1);
      Future<Workspace> first = blockingCaller();
      List<Future<Workspace>> rest = callers(12, i -> "w" + i);
      release.countDown();
      first.get(10, TimeUnit.SECONDS);
      for (Future<Workspace> f : rest) {
        assertThat(f.get(10, TimeUnit.SECONDS).id()).isPositive();
      }
      // "first" alone, then 12 in groups of at most 5: 5, 5, 2.
      assertThat(store.transactions.get()).isEqualTo(4);
      assertThat(store.read((Tx t) -> t.store(WorkspaceStore.class).workspaces())).hasSize(13);
    }

    @Test
    void withSeveralLeadersEveryCallerIsAnsweredOnceCommitted() throws Exception {
      CommitGroup<String, Workspace> several = inserting(8, 4);
      List<Future<Workspace>> all = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        String name = "w" + i;
        all.add(
            threads.submit(
                () -> {
                  Workspace w = several.run(name);
                  assertThat(store.read((Tx t) -> t.store(WorkspaceStore.class).workspace(w.id())))
                      .contains(w);
                  return w;
                }));
      }
      for (Future<Workspace> f : all) {
        assertThat(f.get(30, TimeUnit.SECONDS).id()).isPositive();
      }
      assertThat(store.read((Tx t) -> t.store(WorkspaceStore.class).workspaces())).hasSize(200);
      assertThat(several.queued()).isZero();
    }

    @Test
    void oneCallersBadInputFailsOnlyThatCaller() throws Exception {
      Future<Workspace> first = blockingCaller();
      List<Future<Workspace>> rest = callers(CALLERS, i -> i == 7 ? "bad" : "w" + i);
      release.countDown();
      first.get(10, TimeUnit.SECONDS);
      for (int i = 0; i < CALLERS; i++) {
        Future<Workspace> f = rest.get(i);
        if (i == 7) {
          assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
              .isInstanceOf(ExecutionException.class)
              .hasCauseInstanceOf(Problem.Invalid.class);
        } else {
          assertThat(f.get(10, TimeUnit.SECONDS).name()).isEqualTo("w" + i);
        }
      }
      assertThat(store.read((Tx t) -> t.store(WorkspaceStore.class).workspaces()))
          .extracting(Workspace::name)
          .hasSize(CALLERS)
          .doesNotContain("bad");
    }

    @Test
    void aFailedCommitFailsEveryCallerInItAndWritesNothing() throws Exception {
      Future<Workspace> first = blockingCaller();
      List<Future<Workspace>> rest = callers(CALLERS, i -> "w" + i);
      store.failCommits = true;
      release.countDown();
      assertThatThrownBy(() -> first.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(IllegalStateException.class);
      for (Future<Workspace> f : rest) {
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .hasMessageContaining("the commit failed");
      }
      assertThat(store.read((Tx t) -> t.store(WorkspaceStore.class).workspaces())).isEmpty();
      // Nothing is left queued: the next caller is answered at once.
      store.failCommits = false;
      assertThat(group.run("after").name()).isEqualTo("after");
    }
  }

  static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Nested
  class OnSqlite extends Contract {
    @Override
    Store open() {
      return TestDatabases.sqlite();
    }
  }

  @Nested
  class OnPostgres extends Contract {
    @Override
    Store open() {
      return TestDatabases.postgres();
    }
  }
}
