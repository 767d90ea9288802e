package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.backchannel.core.delivery.AddressPolicy;
import org.backchannel.core.delivery.DeliveryState;
import org.backchannel.core.delivery.DeliveryStore;
import org.backchannel.core.delivery.JettyHttpSender;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.store.Tx;
import org.backchannel.core.wiring.Backchannel;
import org.backchannel.core.workspace.User;
import org.backchannel.store.JdbcStore;
import org.backchannel.testkit.RecordingReceiver;
import org.backchannel.testkit.RecordingReceiver.Answer;
import org.backchannel.testkit.TestDatabases;
import org.junit.jupiter.api.Test;

/**
 * Scale-out and crash: several real {@code serve} processes share one PostgreSQL; one is killed
 * with SIGKILL while it holds a batch in flight. Every accepted event must still reach the app at
 * least once; the duplicates that at-least-once allows are counted and reported.
 */
final class ScaleOutCrashTest {
  private static final int EVENTS = 300;
  private static final int HELD = 30;

  @Test
  void aKilledNodesBatchIsTakenOverAndNothingIsLost() throws Exception {
    String url = TestDatabases.postgresUrl();
    String key = SecretBox.newKey();
    Path logs = Files.createDirectories(Path.of("target", "scale-out"));
    List<Process> nodes = new ArrayList<>();
    try (JdbcStore store = JdbcStore.open(url);
        RecordingReceiver app = RecordingReceiver.start();
        JettyHttpSender sender =
            new JettyHttpSender(
                AddressPolicy.allowingLoopback(), JettyHttpSender.DEFAULT_MAX_BODY)) {
      Backchannel bc =
          new Backchannel(
              store,
              sender,
              new SecretBox(java.util.Base64.getDecoder().decode(key)),
              Clock.systemUTC(),
              Backchannel.Settings.defaults());
      User admin = bc.directory().bootstrap("Acme", "Ada", "ada@example.com").value();
      long appId = bc.apps().createApp(admin, "Sink", "sink").value().id();
      bc.deliveries()
          .createEndpoint(admin, appId, app.url("/events").toString(), false, 1000, null);

      // The first HELD requests are held open until the first node has been killed.
      CountDownLatch killed = new CountDownLatch(1);
      AtomicInteger arrived = new AtomicInteger();
      CountDownLatch heldArrived = new CountDownLatch(HELD);
      app.answer(
          r -> {
            if (arrived.incrementAndGet() <= HELD) {
              heldArrived.countDown();
              try {
                killed.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return Answer.status(204);
          });
      for (int i = 0; i < EVENTS; i++) {
        bc.deliveries()
            .publish(
                admin, appId, "load.test", JsonNodeFactory.instance.objectNode().put("n", i), null);
      }

      Process doomed = node(url, key, "doomed", logs);
      nodes.add(doomed);
      assertThat(heldArrived.await(60, java.util.concurrent.TimeUnit.SECONDS))
          .as("the first node starts sending")
          .isTrue();
      nodes.add(node(url, key, "second", logs));
      nodes.add(node(url, key, "third", logs));

      doomed.destroyForcibly(); // SIGKILL: no shutdown hook, no release of its leases
      doomed.waitFor();
      killed.countDown();

      // Wait, by arrivals, until every delivery is recorded as succeeded.
      Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
      while (pending(store) > 0 && Instant.now().isBefore(deadline)) {
        try {
          app.take(Duration.ofSeconds(2));
        } catch (AssertionError quiet) {
          // no arrival for a while: look at the store again
        }
      }

      assertThat(pending(store)).as("deliveries not yet succeeded").isZero();
      Set<String> ids = new HashSet<>();
      app.requests().forEach(r -> ids.add(r.header("webhook-id")));
      int received = app.requests().size();
      assertThat(ids).hasSize(EVENTS);
      int duplicates = received - ids.size();
      System.out.printf(
          "scale-out crash test: %d events, %d requests received, %d duplicates (%.1f %%)%n",
          EVENTS, received, duplicates, 100.0 * duplicates / EVENTS);
      Files.writeString(
          logs.resolve("result.txt"),
          "events=" + EVENTS + " received=" + received + " duplicates=" + duplicates + "\n");
    } finally {
      nodes.forEach(Process::destroyForcibly);
    }
  }

  private static long pending(JdbcStore store) {
    Map<DeliveryState, Long> counts =
        store.transaction((Tx t) -> t.store(DeliveryStore.class).countByState());
    return counts.get(DeliveryState.PENDING) + counts.get(DeliveryState.SENDING);
  }

  /** A real {@code backchannel serve} process on the shared database, with a short lease. */
  private static Process node(String dbUrl, String key, String name, Path logs) throws IOException {
    return ServeProcess.start(
        dbUrl,
        key,
        0,
        Map.of("BACKCHANNEL_NODE", name, "BACKCHANNEL_LEASE", "3s"),
        logs.resolve(name + ".log"));
  }
}
