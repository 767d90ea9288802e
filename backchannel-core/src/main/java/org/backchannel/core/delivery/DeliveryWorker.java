package org.backchannel.core.delivery;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.backchannel.core.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends background deliveries: claims due ones in batches under a lease, sends each on its own
 * virtual thread, and records how it went. Several workers (in one process or many, on one
 * PostgreSQL) share the queue with no other coordination: a claim is one statement that skips rows
 * another worker holds. Leases are short and renewed while a node lives, so the deliveries of a
 * node that died go back to the queue within about one lease, not after the longest send.
 */
public final class DeliveryWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryWorker.class);

  /**
   * @param node this worker's name in leases; unique per process
   * @param batch how many deliveries one claim takes at most
   * @param concurrency how many deliveries this worker sends at once (an endpoint's own {@code
   *     max_in_flight} limits it further)
   * @param lease how long a claim holds a delivery unless renewed; a live worker renews its leases
   *     every fifth of it, so a dead one's deliveries are taken over about this long after it died
   * @param poll how long the loop waits for a wake-up before it looks for due work anyway
   */
  public record Settings(String node, int batch, int concurrency, Duration lease, Duration poll) {
    public static Settings defaults(String node) {
      return new Settings(node, 64, 256, Duration.ofSeconds(5), Duration.ofMillis(250));
    }
  }

  private final Store store;
  private final DeliveryEngine engine;
  private final InstantSource clock;
  private final Settings settings;
  private final Semaphore slots;
  private final BlockingQueue<Boolean> wakeups = new ArrayBlockingQueue<>(1);
  private final AtomicBoolean running = new AtomicBoolean();
  private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
  // Its own thread, so that leases are renewed even while the loop waits for a free slot.
  private final ScheduledExecutorService leases =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().name("backchannel-leases").daemon().factory());

  /** How many settled attempts one transaction writes at most. */
  private static final int RECORD_GROUP = 256;

  private final BlockingQueue<DeliveryEngine.Sent> results = new LinkedBlockingQueue<>();
  private Thread loop;
  private Thread recorder;
  private AutoCloseable subscription;

  public DeliveryWorker(
      Store store, DeliveryEngine engine, InstantSource clock, Settings settings) {
    this.store = store;
    this.engine = engine;
    this.clock = clock;
    this.settings = settings;
    this.slots = new Semaphore(settings.concurrency());
  }

  public String node() {
    return settings.node();
  }

  /**
   * Sends every delivery that is due now, waiting for each, until none is left; returns how many
   * attempts were made. For tests and the command line: the clock decides what is due.
   */
  public int drain() {
    int attempts = 0;
    while (true) {
      int released =
          store.transaction(
              tx ->
                  tx.store(DeliveryStore.class)
                      .releaseExpiredLeases(settings.node(), clock.instant()));
      if (released > 0) {
        engine.observer().leasesTakenOver(released);
      }
      List<DeliveryEngine.Ready> claimed = claim(settings.batch());
      if (claimed.isEmpty()) {
        return attempts;
      }
      List<Future<DeliveryEngine.Sent>> sends = new ArrayList<>();
      for (DeliveryEngine.Ready ready : claimed) {
        sends.add(senders.submit(() -> engine.send(ready)));
      }
      List<DeliveryEngine.Sent> sent = new ArrayList<>();
      for (Future<DeliveryEngine.Sent> f : sends) {
        try {
          sent.add(f.get());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return attempts;
        } catch (java.util.concurrent.ExecutionException e) {
          LOG.error("a delivery attempt failed unexpectedly", e.getCause());
        }
      }
      engine.recordAll(sent);
      attempts += claimed.size();
    }
  }

  /** Starts the background loop. */
  public void start() {
    if (!running.compareAndSet(false, true)) {
      return;
    }
    int tookBack =
        store.transaction(
            tx -> tx.store(DeliveryStore.class).releaseOwned(settings.node(), clock.instant()));
    if (tookBack > 0) {
      LOG.warn("took back {} deliveries this node held when it last stopped", tookBack);
    }
    long beat = Math.max(100, settings.lease().toMillis() / 5);
    leases.scheduleWithFixedDelay(this::keepLeases, beat, beat, TimeUnit.MILLISECONDS);
    subscription = store.onNewWork(this::wake);
    loop = Thread.ofPlatform().name("backchannel-worker").daemon().start(this::run);
    recorder = Thread.ofPlatform().name("backchannel-recorder").daemon().start(this::recordLoop);
  }

  /** Says that new work may be due, so the loop looks now rather than at its next poll. */
  public void wake() {
    wakeups.offer(Boolean.TRUE);
  }

  private void run() {
    while (running.get()) {
      try {
        int room = Math.min(settings.batch(), slots.availablePermits());
        List<DeliveryEngine.Ready> claimed = room == 0 ? List.of() : claim(room);
        for (DeliveryEngine.Ready ready : claimed) {
          slots.acquireUninterruptibly();
          senders.execute(
              () -> {
                try {
                  results.add(engine.send(ready));
                } catch (RuntimeException e) {
                  LOG.error(
                      "delivery {} could not be attempted; its lease will put it back",
                      ready.delivery().id(),
                      e);
                } finally {
                  slots.release();
                }
              });
        }
        if (claimed.size() < room || room == 0) {
          wakeups.poll(settings.poll().toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.error("the delivery loop failed; trying again", e);
        try {
          wakeups.poll(settings.poll().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /**
   * Renews this node's leases before they run out and puts back in the queue the deliveries of
   * nodes that stopped renewing theirs (killed, or cut off from the database).
   */
  private void keepLeases() {
    try {
      Instant now = clock.instant();
      int released =
          store.transaction(
              tx -> {
                DeliveryStore deliveries = tx.store(DeliveryStore.class);
                deliveries.renewLeases(
                    settings.node(),
                    now.plus(settings.lease().dividedBy(2)),
                    now.plus(settings.lease()));
                return deliveries.releaseExpiredLeases(settings.node(), now);
              });
      if (released > 0) {
        LOG.warn("took over {} deliveries whose node stopped renewing their lease", released);
        engine.observer().leasesTakenOver(released);
        wake();
      }
    } catch (RuntimeException e) {
      LOG.error("renewing leases failed; trying again", e);
    }
  }

  private List<DeliveryEngine.Ready> claim(int limit) {
    return engine.claim(settings.node(), settings.lease(), limit);
  }

  /**
   * Writes settled attempts in groups: whatever has finished since the last write goes into one
   * transaction, so commits are shared by many deliveries when the queue is busy.
   */
  private void recordLoop() {
    List<DeliveryEngine.Sent> group = new ArrayList<>();
    while (running.get()
        || !results.isEmpty()
        || slots.availablePermits() < settings.concurrency()) {
      try {
        DeliveryEngine.Sent first = results.poll(settings.poll().toMillis(), TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        group.add(first);
        results.drainTo(group, RECORD_GROUP - 1);
        engine.recordAll(group);
        wake();
      } catch (InterruptedException e) {
        if (!running.get() && results.isEmpty()) {
          return;
        }
      } catch (RuntimeException e) {
        LOG.error("recording {} attempts failed; their leases will put them back", group.size(), e);
      } finally {
        group.clear();
      }
    }
  }

  /**
   * Stops claiming, lets attempts in flight finish for up to {@code grace}, then puts back in the
   * queue whatever this worker still holds, so that nothing it claimed is lost.
   */
  public void stop(Duration grace) {
    if (running.compareAndSet(true, false)) {
      try {
        subscription.close();
      } catch (Exception e) {
        LOG.debug("closing the wake-up subscription failed", e);
      }
      loop.interrupt();
      try {
        loop.join(grace.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    senders.shutdown();
    try {
      if (!senders.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS)) {
        senders.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (recorder != null) {
      try {
        recorder.join(grace.toMillis() + settings.poll().toMillis() * 2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    leases.shutdownNow();
    int released =
        store.transaction(
            tx -> tx.store(DeliveryStore.class).releaseOwned(settings.node(), clock.instant()));
    if (released > 0) {
      LOG.info("put {} unfinished deliveries back in the queue", released);
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(10));
  }
}
