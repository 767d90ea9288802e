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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.backchannel.core.Problem;
import org.backchannel.core.store.Store;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends background deliveries: claims due ones in batches under a lease, sends each on its own
 * virtual thread, and records how it went. Several workers (in one process or many, on one
 * PostgreSQL) share the queue with no other coordination: a claim is one statement that skips rows
 * another worker holds, and a lease that runs out (its node died) puts the rows back.
 */
public final class DeliveryWorker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryWorker.class);

  /**
   * @param node this worker's name in leases; unique per process
   * @param batch how many deliveries one claim takes at most
   * @param maxInFlight how many deliveries this worker sends at once
   * @param lease how long a claim holds a delivery before another worker may take it over
   * @param poll how long the loop waits for a wake-up before it looks for due work anyway
   */
  public record Settings(String node, int batch, int maxInFlight, Duration lease, Duration poll) {
    public static Settings defaults(String node) {
      return new Settings(node, 64, 256, Duration.ofMinutes(1), Duration.ofMillis(250));
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
  private Thread loop;
  private AutoCloseable subscription;

  public DeliveryWorker(
      Store store, DeliveryEngine engine, InstantSource clock, Settings settings) {
    this.store = store;
    this.engine = engine;
    this.clock = clock;
    this.settings = settings;
    this.slots = new Semaphore(settings.maxInFlight());
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
      store.transaction(tx -> tx.releaseExpiredLeases(clock.instant()));
      List<Delivery> claimed = claim(settings.batch());
      if (claimed.isEmpty()) {
        return attempts;
      }
      List<Future<?>> sends = new ArrayList<>();
      for (Delivery d : claimed) {
        sends.add(senders.submit(() -> send(d)));
      }
      for (Future<?> f : sends) {
        try {
          f.get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return attempts;
        } catch (java.util.concurrent.ExecutionException e) {
          LOG.error("a delivery attempt failed unexpectedly", e.getCause());
        }
      }
      attempts += claimed.size();
    }
  }

  /** Starts the background loop. */
  public void start() {
    if (!running.compareAndSet(false, true)) {
      return;
    }
    subscription = store.onNewWork(this::wake);
    loop = Thread.ofPlatform().name("backchannel-worker").daemon().start(this::run);
  }

  /** Says that new work may be due, so the loop looks now rather than at its next poll. */
  public void wake() {
    wakeups.offer(Boolean.TRUE);
  }

  private void run() {
    Instant lastLeaseCheck = Instant.EPOCH;
    while (running.get()) {
      try {
        Instant now = clock.instant();
        if (Duration.between(lastLeaseCheck, now).compareTo(settings.lease().dividedBy(4)) >= 0) {
          int released = store.transaction(tx -> tx.releaseExpiredLeases(now));
          if (released > 0) {
            LOG.warn("took over {} deliveries whose lease ran out", released);
          }
          lastLeaseCheck = now;
        }
        int room = Math.min(settings.batch(), slots.availablePermits());
        List<Delivery> claimed = room == 0 ? List.of() : claim(room);
        for (Delivery d : claimed) {
          slots.acquireUninterruptibly();
          senders.execute(
              () -> {
                try {
                  send(d);
                } finally {
                  slots.release();
                  wake();
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

  private List<Delivery> claim(int limit) {
    Instant now = clock.instant();
    return store.transaction(
        tx -> tx.claimDue(settings.node(), now, now.plus(settings.lease()), limit));
  }

  private void send(Delivery delivery) {
    try {
      engine.deliverQueued(delivery);
    } catch (Problem.Conflict e) {
      // Our lease ran out and another worker recorded this attempt first: its record stands.
      LOG.warn("delivery {} was taken over by another worker", delivery.id());
    } catch (RuntimeException e) {
      LOG.error("delivery {} could not be attempted; its lease will put it back", delivery.id(), e);
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
    int released = store.transaction(tx -> tx.releaseOwned(settings.node(), clock.instant()));
    if (released > 0) {
      LOG.info("put {} unfinished deliveries back in the queue", released);
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(10));
  }
}
