package org.backchannel.core.retention;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.backchannel.core.Durations;
import org.backchannel.core.Problem;
import org.backchannel.core.store.Store;
import org.backchannel.core.workspace.Directory;
import org.backchannel.core.workspace.User;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long finished deliveries are kept, and the job that removes them once they are older: every
 * {@code interval}, the node holding the purge lease deletes expired finished deliveries with their
 * bodies and attempts, in short transactions, and (SQLite) gives free pages back to the file
 * system. Deliveries still in the queue are never removed; threads, messages, tasks and the chart's
 * counts stay.
 */
public final class Retention implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

  /** The shortest retention there may be: a delivery is kept at least this long once finished. */
  public static final Duration MIN = Duration.ofMinutes(1);

  /** The longest: ten years. */
  public static final Duration MAX = Duration.ofDays(3650);

  /** What an admin sends to go back to the server's retention. */
  public static final String DEFAULT = "default";

  static final String JOB = "purge";

  /** Free pages given back per transaction: 1 MiB of 4 KiB pages, a short write each. */
  static final int RECLAIM_STEP = 256;

  /**
   * When a call a person waits on that is still being sent was cut short: far longer than the
   * longest call (the interactive timeout is at most a minute).
   */
  static final Duration CUT_SHORT_AFTER = Duration.ofHours(1);

  /** The smallest batch the purge shrinks to when transactions take too long. */
  static final int MIN_BATCH = 16;

  /**
   * @param retention how long a finished delivery is kept, unless its workspace says otherwise
   * @param interval how often the purge runs; one run lasts at most this long
   * @param batch the most deliveries one purge transaction removes
   */
  public record Settings(Duration retention, Duration interval, int batch) {
    public static Settings defaults() {
      return new Settings(Duration.ofDays(30), Duration.ofMinutes(1), 500);
    }
  }

  /** A workspace's retention as it applies, the one its admin set (null: none) and the server's. */
  public record View(Duration retention, Duration workspace, Duration server) {}

  /**
   * What one run did: whether this node held the lease, what it removed, in how many transactions
   * and at most how many deliveries in one, and how many pages it gave back.
   */
  public record Run(
      boolean held,
      long deliveries,
      long attempts,
      long bodies,
      int transactions,
      int largestTransaction,
      long pagesReclaimed) {}

  private final Store store;
  private final InstantSource clock;
  private final String node;
  private final Settings settings;
  // How long one purge transaction may take before the next is made smaller: SQLite has one
  // writer at a time, and every publish and settle waits behind a purge transaction.
  private final long targetNanos;
  private volatile PurgeObserver observer = PurgeObserver.NONE;
  private final Object lifecycle = new Object();
  private int size;
  // The workspace a run stopped in (its time was up), where the next one starts, so that one
  // workspace's backlog does not hold the others' purge back for longer than a run.
  private volatile long resumeAt;
  private ScheduledExecutorService scheduler;
  // Set by close(): a run in progress stops after its current transaction.
  private volatile boolean closed;

  public Retention(Store store, InstantSource clock, String node, Settings settings) {
    this.store = store;
    this.clock = clock;
    this.node = node;
    this.settings = settings;
    this.size = settings.batch();
    this.targetNanos =
        (store.kind().equals("sqlite") ? Duration.ofMillis(5) : Duration.ofMillis(50)).toNanos();
  }

  public void observe(PurgeObserver observer) {
    this.observer = observer;
  }

  public Settings settings() {
    return settings;
  }

  /** The caller's workspace's retention. */
  public View view(User caller) {
    Duration own =
        store.read(
            tx -> tx.store(RetentionStore.class).retention(caller.workspaceId()).orElse(null));
    return new View(own == null ? settings.retention() : own, own, settings.retention());
  }

  /**
   * Sets the caller's workspace's retention (admins): a duration such as {@code 7d}, or {@link
   * #DEFAULT} to go back to the server's.
   */
  public View set(User caller, String retention) {
    Directory.requireAdmin(caller);
    Duration own = parse(retention);
    store.transaction(
        tx -> {
          tx.store(RetentionStore.class).setRetention(caller.workspaceId(), own);
          return null;
        });
    return view(caller);
  }

  /** A retention as sent: {@link #DEFAULT} gives null; anything else must be in range. */
  static Duration parse(String text) {
    String why =
        "must be a duration such as 12h, 7d or 90d (from "
            + text(MIN)
            + " to "
            + text(MAX)
            + "), or \""
            + DEFAULT
            + "\"";
    if (text == null || text.isBlank()) {
      throw Problem.Invalid.of("retention", "is required: " + why.substring("must be ".length()));
    }
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.equals(DEFAULT)) {
      return null;
    }
    Duration d;
    try {
      d = Durations.parse(t);
    } catch (IllegalArgumentException e) {
      throw Problem.Invalid.of("retention", why);
    }
    if (d.compareTo(MIN) < 0 || d.compareTo(MAX) > 0) {
      throw Problem.Invalid.of("retention", why);
    }
    return d;
  }

  /** A duration as the settings write it: "30d", "12h", "90m", "45s". */
  public static String text(Duration d) {
    return Durations.text(d);
  }

  /**
   * One run, now: if this node holds (or takes) the purge lease, fails the calls a person waited on
   * that a stopped node left unfinished (begun over {@link #CUT_SHORT_AFTER} ago), removes every
   * workspace's expired finished deliveries in transactions of at most {@code batch} deliveries,
   * for at most {@code interval}, then gives back the pages that were already free when it began
   * (those it just freed are kept for the next interval's writes, so a steady load neither grows
   * nor churns the file).
   */
  public synchronized Run purge() {
    Instant now = clock.instant();
    Tally tally = new Tally();
    if (!store.transaction(
        tx -> tx.store(RetentionStore.class).holdLease(JOB, node, now, leaseUntil(now)))) {
      return tally.run(false);
    }
    int cutShort =
        store.transaction(
            tx ->
                tx.store(RetentionStore.class).failCutShortCalls(now.minus(CUT_SHORT_AFTER), now));
    if (cutShort > 0) {
      LOG.warn("failed {} calls a person waited on that a stopped node left unfinished", cutShort);
    }
    long deadline = System.nanoTime() + settings.interval().toNanos();
    long freeBefore = store.read(tx -> tx.store(RetentionStore.class).freePages());
    List<RetentionStore.WorkspaceRetention> workspaces =
        new ArrayList<>(store.read(tx -> tx.store(RetentionStore.class).workspaces()));
    long from = resumeAt;
    int first = 0;
    while (first < workspaces.size() && workspaces.get(first).workspaceId() < from) {
      first++;
    }
    Collections.rotate(workspaces, -first);
    resumeAt = 0;
    for (RetentionStore.WorkspaceRetention w : workspaces) {
      boolean finished = false;
      Duration keep = w.retention() == null ? settings.retention() : w.retention();
      Instant before = now.minus(keep);
      while (System.nanoTime() < deadline && !closed) {
        int limit = size;
        // Timed from when the transaction holds the store (on SQLite, once BEGIN IMMEDIATE has
        // the write lock) to its commit: waiting for the lock behind busy deliveries holds nothing,
        // and counting it shrank the batches until the purge fell behind a steady load.
        long[] t0 = {System.nanoTime()};
        RetentionStore.Purged p =
            store.transaction(
                tx -> {
                  t0[0] = System.nanoTime();
                  RetentionStore r = tx.store(RetentionStore.class);
                  Instant at = clock.instant();
                  return r.holdLease(JOB, node, at, leaseUntil(at))
                      ? r.purge(w.workspaceId(), before, limit)
                      : null;
                });
        long took = System.nanoTime() - t0[0];
        adapt(took);
        rest(took);
        if (p == null) {
          LOG.info("another node took the purge over");
          return tally.run(true);
        }
        tally.add(p);
        observer.purged(p);
        if (p.deliveries() < limit) {
          finished = true;
          break;
        }
      }
      if (!finished) {
        resumeAt = w.workspaceId();
        break;
      }
    }
    for (long left = freeBefore; left > 0 && System.nanoTime() < deadline && !closed; ) {
      int step = (int) Math.min(RECLAIM_STEP, left);
      long t0 = System.nanoTime();
      long given = store.transaction(tx -> tx.store(RetentionStore.class).reclaim(step));
      rest(System.nanoTime() - t0);
      if (given <= 0) {
        break;
      }
      tally.pages += given;
      observer.reclaimed(given);
      left -= given;
    }
    Run run = tally.run(true);
    if (run.deliveries() > 0 || run.pagesReclaimed() > 0) {
      LOG.info(
          "purged {} finished deliveries ({} attempts) in {} transactions; gave back {} free pages",
          run.deliveries(),
          run.attempts(),
          run.transactions(),
          run.pagesReclaimed());
    }
    return run;
  }

  private Instant leaseUntil(Instant now) {
    // Longer than a run and the wait for the next, so the holder keeps it while it lives.
    return now.plus(settings.interval().multipliedBy(2)).plus(Duration.ofMinutes(1));
  }

  /**
   * Waits as long as the last transaction took (at most 100 ms) before the next: the purge then has
   * the database, and the CPU, at most about half the time, however large its backlog, and the
   * deliveries being sent have the rest.
   */
  private void rest(long tookNanos) {
    if (!closed) {
      LockSupport.parkNanos(Math.min(tookNanos, MAX_REST_NANOS));
    }
  }

  private static final long MAX_REST_NANOS = Duration.ofMillis(100).toNanos();

  /** Halves the batch after a transaction that took too long, doubles it after a quick one. */
  private void adapt(long tookNanos) {
    if (tookNanos > targetNanos) {
      size = Math.max(Math.min(MIN_BATCH, settings.batch()), size / 2);
    } else if (tookNanos < targetNanos / 2) {
      size = (int) Math.min(settings.batch(), size * 2L);
    }
  }

  private static final class Tally {
    long deliveries;
    long attempts;
    long bodies;
    int transactions;
    int largest;
    long pages;

    void add(RetentionStore.Purged p) {
      deliveries += p.deliveries();
      attempts += p.attempts();
      bodies += p.bodies();
      transactions++;
      largest = Math.max(largest, p.deliveries());
    }

    Run run(boolean held) {
      return new Run(held, deliveries, attempts, bodies, transactions, largest, pages);
    }
  }

  /** Runs the purge every {@code interval} on a thread of its own, until {@link #close}. */
  public void start() {
    synchronized (lifecycle) {
      if (scheduler != null || closed) {
        return;
      }
      scheduler =
          Executors.newSingleThreadScheduledExecutor(
              Thread.ofPlatform().name("backchannel-purge").daemon().factory());
      scheduler.schedule(this::runLogged, settings.interval().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * One run, then the next: at once while expired deliveries are left (a run ends at its interval
   * even with a backlog, and waiting another interval would let a steady load outgrow the purge),
   * else after the interval.
   */
  private void runLogged() {
    try {
      purge();
    } catch (RuntimeException e) {
      LOG.error("the purge failed; it runs again in {}", text(settings.interval()), e);
    }
    synchronized (lifecycle) {
      if (scheduler != null && !closed) {
        long delay = resumeAt != 0 ? 0 : settings.interval().toMillis();
        scheduler.schedule(this::runLogged, delay, TimeUnit.MILLISECONDS);
      }
    }
  }

  /** Stops the job, lets a run in progress end its transaction, and gives the lease up. */
  @Override
  public void close() {
    ScheduledExecutorService s;
    synchronized (lifecycle) {
      closed = true;
      s = scheduler;
      scheduler = null;
    }
    if (s != null) {
      // Not interrupted: a run stops between transactions, never inside a statement.
      s.shutdown();
      try {
        s.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      store.transaction(
          tx -> {
            tx.store(RetentionStore.class).releaseLease(JOB, node);
            return null;
          });
    } catch (RuntimeException e) {
      LOG.debug("giving the purge lease up failed; it runs out by itself", e);
    }
  }
}
