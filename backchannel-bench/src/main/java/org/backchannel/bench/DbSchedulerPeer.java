package org.backchannel.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * db-scheduler (Java, PostgreSQL) doing Backchannel's job, a peer in the outside-in mode: {@code
 * enqueue N} schedules N one-time tasks from CLIENTS threads; {@code drain N} runs a scheduler of
 * WORKERS threads whose task signs with Standard Webhooks, POSTs to RECEIVER_URL and inserts the
 * attempt, until every task is done. Prints START and END around what it times (see {@link
 * External#peerRun}).
 */
public final class DbSchedulerPeer {
  // db-scheduler's own table for PostgreSQL, as its documentation gives it.
  private static final String TABLES =
      """
      CREATE TABLE IF NOT EXISTS scheduled_tasks (
        task_name text NOT NULL, task_instance text NOT NULL, task_data bytea,
        execution_time timestamptz NOT NULL, picked boolean NOT NULL, picked_by text,
        last_success timestamptz, last_failure timestamptz, consecutive_failures int,
        last_heartbeat timestamptz, version bigint NOT NULL, priority smallint,
        PRIMARY KEY (task_name, task_instance));
      CREATE INDEX IF NOT EXISTS execution_time_idx ON scheduled_tasks (execution_time);
      CREATE INDEX IF NOT EXISTS last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
      CREATE INDEX IF NOT EXISTS priority_execution_time_idx
        ON scheduled_tasks (priority DESC, execution_time ASC);
      CREATE TABLE IF NOT EXISTS attempts (id bigserial PRIMARY KEY, task_instance text NOT NULL,
        status int NOT NULL, ms double precision NOT NULL, at timestamptz NOT NULL DEFAULT now());
      """;

  private DbSchedulerPeer() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int n = Integer.parseInt(args[1]);
    int clients = Integer.parseInt(System.getenv().getOrDefault("CLIENTS", "64"));
    int workers = Integer.parseInt(System.getenv().getOrDefault("WORKERS", "64"));
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(System.getenv("JDBC_URL"));
    hc.setMaximumPoolSize(Math.max(clients, workers) + 4);
    try (HikariDataSource ds = new HikariDataSource(hc)) {
      Signer signer = new Signer(URI.create(System.getenv("RECEIVER_URL")));
      AtomicInteger done = new AtomicInteger();
      CountDownLatch all = new CountDownLatch(n);
      OneTimeTask<String> task =
          Tasks.oneTime("deliver", String.class)
              .execute(
                  (instance, ctx) -> {
                    long t0 = System.nanoTime();
                    int status = signer.send(instance.getId(), instance.getData());
                    try (Connection c = ds.getConnection();
                        PreparedStatement ps =
                            c.prepareStatement(
                                "INSERT INTO attempts (task_instance, status, ms) VALUES (?, ?, ?)")) {
                      ps.setString(1, instance.getId());
                      ps.setInt(2, status);
                      ps.setDouble(3, (System.nanoTime() - t0) / 1e6);
                      ps.executeUpdate();
                    } catch (SQLException e) {
                      throw new IllegalStateException(e);
                    }
                    done.incrementAndGet();
                    all.countDown();
                  });
      if (mode.equals("enqueue")) {
        try (Connection c = ds.getConnection();
            Statement s = c.createStatement()) {
          s.execute(TABLES);
        }
        SchedulerClient client = SchedulerClient.Builder.create(ds, task).build();
        System.out.println("START");
        System.out.flush();
        AtomicInteger next = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < clients; t++) {
          threads.add(
              Thread.ofPlatform()
                  .start(
                      () -> {
                        for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                          client.scheduleIfNotExists(
                              task.instance("e-" + i, payload(i)), Instant.now());
                        }
                      }));
        }
        for (Thread t : threads) {
          t.join();
        }
        end(n + " tasks");
      } else {
        Scheduler scheduler =
            Scheduler.create(ds, task)
                .threads(workers)
                .pollingInterval(Duration.ofMillis(100))
                .pollUsingLockAndFetch(0.5, 3.0)
                .enableImmediateExecution()
                .build();
        System.out.println("START");
        System.out.flush();
        scheduler.start();
        all.await();
        // a one-time task's row is deleted after its handler returned: wait for all of them
        while (remaining(ds) > 0) {
          Thread.sleep(10);
        }
        end(done.get() + " tasks completed");
        scheduler.stop();
      }
    }
    System.exit(0);
  }

  static String payload(int i) {
    return "{\"i\":"
        + i
        + ",\"note\":\"an event of about a hundred bytes, like the peers' payload\"}";
  }

  static int remaining(HikariDataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM scheduled_tasks")) {
      r.next();
      return r.getInt(1);
    }
  }

  static void end(String detail) throws IOException {
    System.out.println("END " + detail);
    System.out.flush();
    System.in.transferTo(java.io.OutputStream.nullOutputStream());
  }

  /** Standard Webhooks signing and a keep-alive POST, as Backchannel does per delivery. */
  static final class Signer {
    private final URI url;
    private final byte[] secret = new byte[32];
    private final HttpClient http =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    Signer(URI url) {
      this.url = url;
      new SecureRandom().nextBytes(secret);
    }

    int send(String id, String data) {
      String body =
          "{\"type\":\"bench.event\",\"timestamp\":\""
              + Instant.now()
              + "\",\"data\":"
              + data
              + "}";
      String ts = Long.toString(Instant.now().getEpochSecond());
      try {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        String sig =
            Base64.getEncoder()
                .encodeToString(
                    mac.doFinal((id + "." + ts + "." + body).getBytes(StandardCharsets.UTF_8)));
        HttpResponse<Void> r =
            http.send(
                HttpRequest.newBuilder(url)
                    .header("content-type", "application/json")
                    .header("webhook-id", id)
                    .header("webhook-timestamp", ts)
                    .header("webhook-signature", "v1," + sig)
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() / 100 != 2) {
          throw new IllegalStateException("receiver answered " + r.statusCode());
        }
        return r.statusCode();
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalStateException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }
}
