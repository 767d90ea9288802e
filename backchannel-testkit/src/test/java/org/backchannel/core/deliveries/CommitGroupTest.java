package org.backchannel.core.deliveries;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.backchannel.core.Problem;
import org.backchannel.core.store.Store;
import org.backchannel.core.store.Tx;
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
    CommitGroup group;
    ExecutorService threads;
    final CountDownLatch release = new CountDownLatch(1);

    abstract Store open();

    @BeforeEach
    void setUp() {
      store = new Counting(open());
      group = new CommitGroup(store, 256, 1);
      threads = Executors.newVirtualThreadPerTaskExecutor();
    }

    @AfterEach
    void tearDown() {
      release.countDown();
      threads.shutdownNow();
      store.close();
    }

    /** A caller whose work holds its commit open until {@link #release}: the next ones queue. */
    Future<Workspace> blockingCaller() {
      CountDownLatch inside = new CountDownLatch(1);
      Future<Workspace> first =
          threads.submit(
              () ->
                  group.run(
                      (Tx tx) -> {
                        inside.countDown();
                        await(release);
                        return tx.store(WorkspaceStore.class).insertWorkspace("first", T0);
                      }));
      await(inside);
      return first;
    }

    /** Callers that each insert a workspace and, once answered, read it back from a new read. */
    List<Future<Workspace>> callers(int n, Function<Integer, Function<Tx, Workspace>> work) {
      List<Future<Workspace>> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Function<Tx, Workspace> w = work.apply(i);
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
      List<Future<Workspace>> rest =
          callers(
              CALLERS, i -> (Tx tx) -> tx.store(WorkspaceStore.class).insertWorkspace("w" + i, T0));
      release.countDown();
      first.get(10, TimeUnit.SECONDS);
      for (Future<Workspace> f : rest) {
        assertThat(f.get(10, TimeUnit.SECONDS).id()).isPositive();
      }
      // The first caller's commit, then one for all those who queued behind it.
      assertThat(store.transactions.get()).isEqualTo(2);
      assertThat(store.read((Tx t) -> t.store(WorkspaceStore.class).workspaces()))
          .hasSize(CALLERS + 1);
    }

    @Test
    void eachCallersWorkRunsInItsOwnTraceContextWhoeverLeads() throws Exception {
      ContextKey<String> caller = ContextKey.named("caller");
      Map<Integer, String> seen = new ConcurrentHashMap<>();
      Map<Integer, Thread> ranOn = new ConcurrentHashMap<>();
      Future<Workspace> first = blockingCaller();
      List<Future<Workspace>> rest = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        int n = i;
        rest.add(
            threads.submit(
                () -> {
                  try (Scope ignored = Context.root().with(caller, "c" + n).makeCurrent()) {
                    return group.run(
                        (Tx tx) -> {
                          seen.put(n, String.valueOf(Context.current().get(caller)));
                          ranOn.put(n, Thread.currentThread());
                          return tx.store(WorkspaceStore.class).insertWorkspace("w" + n, T0);
                        });
                  }
                }));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (group.queued() < n + 1 && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
      }
      release.countDown();
      first.get(10, TimeUnit.SECONDS);
      for (Future<Workspace> f : rest) {
        f.get(10, TimeUnit.SECONDS);
      }
      assertThat(new java.util.HashSet<>(ranOn.values()))
          .as("one caller led the others' work")
          .hasSize(1);
      assertThat(seen).containsExactlyInAnyOrderEntriesOf(Map.of(0, "c0", 1, "c1", 2, "c2"));
    }

    @Test
    void withSeveralLeadersEveryCallerIsAnsweredOnceCommitted() throws Exception {
      CommitGroup several = new CommitGroup(store, 8, 4);
      List<Future<Workspace>> all = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        String name = "w" + i;
        all.add(
            threads.submit(
                () -> {
                  Workspace w =
                      several.run(
                          (Tx tx) -> tx.store(WorkspaceStore.class).insertWorkspace(name, T0));
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
    void oneCallersErrorFailsOnlyThatCaller() throws Exception {
      Future<Workspace> first = blockingCaller();
      List<Future<Workspace>> rest =
          callers(
              CALLERS,
              i ->
                  (Tx tx) -> {
                    Workspace w = tx.store(WorkspaceStore.class).insertWorkspace("w" + i, T0);
                    if (i == 7) {
                      throw Problem.Invalid.of("data", "is not acceptable");
                    }
                    return w;
                  });
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
          .doesNotContain("w7");
    }

    @Test
    void aFailedCommitFailsEveryCallerInItAndWritesNothing() throws Exception {
      Future<Workspace> first = blockingCaller();
      List<Future<Workspace>> rest =
          callers(
              CALLERS, i -> (Tx tx) -> tx.store(WorkspaceStore.class).insertWorkspace("w" + i, T0));
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
      assertThat(
              group
                  .run((Tx tx) -> tx.store(WorkspaceStore.class).insertWorkspace("after", T0))
                  .name())
          .isEqualTo("after");
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
