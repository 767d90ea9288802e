package org.backchannel.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The retention soak ({@code bench/run --soak}): {@code serve} as its own process, the receiver as
 * another, this process publishing over HTTP at a fixed rate, as in {@link External}. Three runs
 * per store:
 *
 * <ul>
 *   <li>{@code baseline}: the load for {@code minutes} with a retention nothing reaches, so the
 *       purge finds nothing: the latency to compare with;
 *   <li>{@code soak}: the same load with a short {@code retention}: the database's size (SQLite:
 *       the file and its WAL; PostgreSQL: {@code pg_database_size}) and the latency every {@code
 *       sample-seconds}, while the purge keeps it flat;
 *   <li>{@code backlog}: {@code backlog} finished deliveries, already expired, written straight
 *       into the database with serve stopped, then serve started and the same load offered while
 *       the purge works through them: the latency every {@code backlog-sample-seconds}, and how
 *       long the purge took.
 * </ul>
 *
 * Latency is the receiver's, from the moment an event was offered (its publish was due) to its
 * delivery's arrival. Writes what it measured as JSON and prints the tables.
 */
public final class Soak {
  static final Map<String, String> OPTIONS = new LinkedHashMap<>();

  static {
    OPTIONS.put("stores", "sqlite,postgres");
    OPTIONS.put("runs", "baseline,soak,backlog");
    OPTIONS.put("rate", "1000"); // events offered per second, open loop
    OPTIONS.put("minutes", "30"); // length of the baseline and soak runs
    OPTIONS.put("retention", "5m"); // the soak's retention
    OPTIONS.put("purge-interval", "1m"); // serve's purge_interval in the soak
    OPTIONS.put("sample-seconds", "60");
    OPTIONS.put("backlog", "1000000"); // expired finished deliveries written before the run
    OPTIONS.put("backlog-minutes", "15"); // the longest the backlog run lasts
    // serve's default: its first run starts a minute after start-up, which warms serve up
    OPTIONS.put("backlog-purge-interval", "1m");
    OPTIONS.put("backlog-sample-seconds", "10");
    OPTIONS.put("max-in-flight", "256"); // the endpoint's limit
    OPTIONS.put("latency-in-flight", "256"); // publishes in flight at once
    OPTIONS.put("serve-classpath", "");
    OPTIONS.put("serve-java-options", "--enable-native-access=ALL-UNNAMED");
    OPTIONS.put("pg-url", "");
    OPTIONS.put("pg-pid-file", "");
    OPTIONS.put("out", "target/bench/soak.json");
  }

  final Map<String, String> opt = new LinkedHashMap<>(OPTIONS);
  final External x;

  Soak() throws Exception {
    x = new External();
  }

  public static void main(String[] args) throws Exception {
    Soak soak = new Soak();
    // --quick (bench/soak.sh) comes first; an option given after it wins
    soak.opt.putAll(
        BenchOptions.parse(
            "bench/run --soak",
            List.of(
                "Retention soak: serve, receiver and load client as processes; the database's size"
                    + " and the delivery latency while expired deliveries are purged.",
                ""),
            OPTIONS,
            args,
            true));
    for (String k :
        List.of(
            "serve-classpath",
            "serve-java-options",
            "pg-url",
            "pg-pid-file",
            "max-in-flight",
            "latency-in-flight")) {
      soak.x.opt.put(k, soak.opt.get(k));
    }
    int code = 0;
    try {
      ObjectNode out = soak.run();
      Path file = Path.of(soak.opt.get("out"));
      Files.createDirectories(file.toAbsolutePath().getParent());
      External.JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), out);
      String tables = tables(out);
      Files.writeString(file.resolveSibling("soak.md"), tables);
      System.out.println(tables);
      External.log("wrote " + file + " and " + file.resolveSibling("soak.md"));
    } catch (Exception e) {
      e.printStackTrace();
      code = 1;
    } finally {
      Procs.stopAll();
    }
    System.exit(code);
  }

  int num(String k) {
    return Integer.parseInt(opt.get(k));
  }

  ObjectNode run() throws Exception {
    ObjectNode out = External.JSON.createObjectNode();
    out.set("options", External.JSON.valueToTree(opt));
    out.set("machine", Machine.describe());
    ObjectNode skipped = out.putObject("skipped");
    x.startReceiver();
    ObjectNode stores = out.putObject("stores");
    for (String kind : list("stores")) {
      if (kind.equals("postgres") && opt.get("pg-url").isEmpty()) {
        skipped.put(kind, "no PostgreSQL server was started");
        continue;
      }
      ObjectNode r = stores.putObject(kind);
      for (String run : list("runs")) {
        try {
          r.set(
              run,
              switch (run) {
                case "baseline" -> load(kind, "3650d", opt.get("purge-interval"), false);
                case "soak" -> load(kind, opt.get("retention"), opt.get("purge-interval"), true);
                case "backlog" -> backlog(kind);
                default -> throw new IllegalArgumentException("no such run: " + run);
              });
        } catch (Exception e) {
          e.printStackTrace();
          skipped.put(kind + "/" + run, "failed during the run: " + e);
        }
      }
    }
    out.put("loadavg_end", Machine.loadavg());
    return out;
  }

  List<String> list(String k) {
    return java.util.Arrays.stream(opt.get(k).split(","))
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .toList();
  }

  /** A store set up through the API (workspace, app, endpoint at the receiver), then stopped. */
  External.Store prepare(String kind, String retention, String interval) throws Exception {
    External.Store s = x.new Store(kind);
    s.env.put("BACKCHANNEL_RETENTION", retention);
    s.env.put("BACKCHANNEL_PURGE_INTERVAL", interval);
    s.init();
    s.start(false);
    s.setUp();
    s.stop();
    return s;
  }

  /** The load for {@code minutes} with one retention, sampled every {@code sample-seconds}. */
  ObjectNode load(String kind, String retention, String interval, boolean soak) throws Exception {
    External.Store s = prepare(kind, retention, interval);
    External.log(kind + ": " + (soak ? "soak" : "baseline") + ", retention " + retention);
    s.start(true);
    try {
      ObjectNode r = External.JSON.createObjectNode();
      r.put("retention", retention);
      r.put("purge_interval", interval);
      r.set("samples", offer(s, num("minutes") * 60L, num("sample-seconds"), 0));
      // the same warm-up for both runs: the soak's retention and one purge interval, after which
      // its purge has started and the file has its size
      summarize(r, seconds(opt.get("retention")) + seconds(opt.get("purge-interval")));
      return r;
    } finally {
      s.stop();
    }
  }

  /** {@code backlog} expired deliveries written with serve stopped, then the load while purged. */
  ObjectNode backlog(String kind) throws Exception {
    int n = num("backlog");
    External.Store s = prepare(kind, "1h", opt.get("backlog-purge-interval"));
    External.log(kind + ": writing " + n + " expired finished deliveries");
    long t0 = System.nanoTime();
    preload(s, n);
    double wrote = (System.nanoTime() - t0) / 1e9;
    External.log(kind + ": wrote them in " + String.format(Locale.ROOT, "%.0f s", wrote));
    s.start(true);
    try {
      ObjectNode r = External.JSON.createObjectNode();
      r.put("backlog", n);
      r.put("preload_seconds", wrote);
      r.put("purge_interval", opt.get("backlog-purge-interval"));
      ArrayNode samples = offer(s, num("backlog-minutes") * 60L, num("backlog-sample-seconds"), n);
      r.set("samples", samples);
      // the windows in which the purge was at work: from the first that purged anything to the
      // one in which the backlog was gone
      double done = -1;
      List<Double> purging = new ArrayList<>();
      long before = 0;
      for (JsonNode sample : samples) {
        long purged = sample.get("purged").asLong();
        if (purged > before && before < n) {
          purging.add(sample.get("p99_ms").asDouble());
        }
        if (done < 0 && purged >= n) {
          done = sample.get("seconds").asDouble();
        }
        before = purged;
      }
      r.put("purged_all_after_seconds", done);
      r.put("windows_purging", purging.size());
      purging.sort(Double::compare);
      if (!purging.isEmpty()) {
        r.put("window_p99_median_ms", purging.get(purging.size() / 2));
        r.put("window_p99_max_ms", purging.getLast());
      }
      return r;
    } finally {
      s.stop();
    }
  }

  /**
   * Offers {@code rate} events a second for {@code seconds} (or, with a backlog, until it is purged
   * and one more window has passed), each sent on its own schedule so that a slow answer never
   * delays the next; a sampler reads the receiver, {@code /metrics} and the database's size every
   * {@code every} seconds.
   */
  ArrayNode offer(External.Store s, long seconds, int every, long backlog) throws Exception {
    int rate = num("rate");
    x.resetReceiver();
    ArrayNode samples = External.JSON.createArrayNode();
    AtomicLong failed = new AtomicLong();
    Semaphore inFlight = new Semaphore(num("latency-in-flight"));
    long t0 = System.nanoTime() + 50_000_000L;
    long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong stopAt = new AtomicLong(end);
    ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    sampler.scheduleAtFixedRate(
        () -> {
          try {
            ObjectNode sample = sample(s, (System.nanoTime() - t0) / 1e9, failed.getAndSet(0));
            synchronized (samples) {
              samples.add(sample);
            }
            External.log("  " + sample);
            if (backlog > 0 && sample.get("purged").asLong() >= backlog) {
              // one more window after the backlog is gone, to see the load alone
              stopAt.compareAndSet(end, System.nanoTime() + TimeUnit.SECONDS.toNanos(every));
            }
          } catch (Exception e) {
            External.log("  sampling failed: " + e);
          }
        },
        every,
        every,
        TimeUnit.SECONDS);
    List<CompletableFuture<?>> pending = new ArrayList<>();
    try {
      for (long i = 0; ; i++) {
        long at = t0 + (long) (i * 1e9 / rate);
        if (at >= stopAt.get()) {
          break;
        }
        long wait = at - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        inFlight.acquireUninterruptibly();
        pending.add(
            x.http
                .sendAsync(s.publishAt((int) i, at), HttpResponse.BodyHandlers.discarding())
                .whenComplete(
                    (resp, err) -> {
                      inFlight.release();
                      if (err != null || resp.statusCode() != 202) {
                        failed.incrementAndGet();
                      }
                    }));
        if (pending.size() >= 10_000) {
          pending.removeIf(CompletableFuture::isDone);
        }
      }
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
          .exceptionally(e -> null)
          .get(120, TimeUnit.SECONDS);
    } finally {
      sampler.shutdown();
      sampler.awaitTermination(30, TimeUnit.SECONDS);
    }
    return samples;
  }

  /** One window: the receiver's latency since the last (then reset), metrics, the size. */
  ObjectNode sample(External.Store s, double seconds, long failed) throws Exception {
    JsonNode st = x.receiverStats();
    x.resetReceiver();
    ObjectNode r = External.JSON.createObjectNode();
    r.put("seconds", Math.round(seconds));
    r.put("received", st.get("count").asLong());
    r.put("failed_publishes", failed);
    r.put("p50_ms", st.get("latency_ms").get("p50").asDouble());
    r.put("p99_ms", st.get("latency_ms").get("p99").asDouble());
    r.put("max_ms", st.get("latency_ms").get("max").asDouble());
    Map<String, Double> m = metrics(s);
    r.put("pending", m.getOrDefault("backchannel_deliveries{state=\"pending\"}", 0.0).longValue());
    r.put(
        "purged",
        m.getOrDefault("backchannel_purged_total{table=\"deliveries\"}", 0.0).longValue());
    long[] size = size(s);
    r.put("db_mb", size[0] / 1048576.0);
    r.put("wal_mb", size[1] / 1048576.0);
    return r;
  }

  /** {@code /metrics} lines without labels' order mattering: name{labels} to value. */
  Map<String, Double> metrics(External.Store s) throws Exception {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String line : x.get(s.base + "/metrics").split("\n")) {
      if (line.startsWith("backchannel_") && line.contains(" ")) {
        int sp = line.lastIndexOf(' ');
        try {
          out.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
        } catch (NumberFormatException e) {
          // not a sample line
        }
      }
    }
    return out;
  }

  /** The database's size in bytes: SQLite's file and its WAL; PostgreSQL's database (no WAL). */
  long[] size(External.Store s) throws SQLException {
    if (s.dbUrl == null) {
      Path db = s.dataDir.resolve("backchannel.db");
      return new long[] {fileSize(db), fileSize(db.resolveSibling("backchannel.db-wal"))};
    }
    try (Connection c = DriverManager.getConnection(s.dbUrl);
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT pg_database_size(current_database())")) {
      rs.next();
      return new long[] {rs.getLong(1), 0};
    }
  }

  static long fileSize(Path p) {
    try {
      return Files.exists(p) ? Files.size(p) : 0;
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  /**
   * Writes {@code n} finished deliveries, each with its body and one attempt, finished a day ago,
   * straight into the store's tables, in transactions of 50,000.
   */
  void preload(External.Store s, int n) throws Exception {
    boolean pg = s.dbUrl != null;
    String url = pg ? s.dbUrl : "jdbc:sqlite:" + s.dataDir.resolve("backchannel.db");
    long dayAgo = Instant.now().minusSeconds(86_400).toEpochMilli();
    String body =
        "{\"type\":\"bench.event\",\"data\":{\"i\":1,\"note\":\"an event of about a hundred bytes,"
            + " like the peers' payload\"}}";
    try (Connection c = DriverManager.getConnection(url)) {
      long ws;
      long endpoint;
      try (Statement st = c.createStatement();
          ResultSet rs =
              st.executeQuery("SELECT workspace_id, id FROM endpoints WHERE app_id = " + s.appId)) {
        rs.next();
        ws = rs.getLong(1);
        endpoint = rs.getLong(2);
      }
      c.setAutoCommit(false);
      for (int from = 1; from <= n; from += 50_000) {
        int to = Math.min(n, from + 49_999);
        long before;
        try (Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(id), 0) FROM deliveries")) {
          rs.next();
          before = rs.getLong(1);
        }
        try (PreparedStatement p =
            c.prepareStatement(
                "WITH RECURSIVE c(i) AS (SELECT CAST(? AS BIGINT) UNION ALL SELECT i + 1 FROM c"
                    + " WHERE i < ?) INSERT INTO deliveries (workspace_id, app_id, message_id,"
                    + " contract, event, method, url, interactive, state, attempt_count,"
                    + " created_at, updated_at, summary, endpoint_id) SELECT ?, ?, 'preload-' ||"
                    + " CAST(i AS TEXT), 'NATIVE', 'bench.event', 'POST', 'http://preload/',"
                    + (pg ? " FALSE" : " 0")
                    + ", 'SUCCEEDED', 1, ? + i, ? + i, 'delivered', ? FROM c")) {
          p.setLong(1, from);
          p.setLong(2, to);
          p.setLong(3, ws);
          p.setLong(4, s.appId);
          p.setLong(5, dayAgo);
          p.setLong(6, dayAgo);
          p.setLong(7, endpoint);
          p.executeUpdate();
        }
        try (PreparedStatement p =
            c.prepareStatement(
                "INSERT INTO delivery_bodies (delivery_id, body) SELECT id, "
                    + (pg ? "convert_to(?, 'UTF8')" : "CAST(? AS BLOB)")
                    + " FROM deliveries WHERE id > ?")) {
          p.setString(1, body);
          p.setLong(2, before);
          p.executeUpdate();
        }
        try (PreparedStatement p =
            c.prepareStatement(
                "INSERT INTO attempts (delivery_id, number, started_at, duration_ms,"
                    + " request_method, request_url, request_headers, response_status,"
                    + " response_headers, outcome, body_from_delivery) SELECT id, 1, created_at,"
                    + " 2, 'POST', url, '{}', 204, '{}', 'succeeded', "
                    + (pg ? "TRUE" : "1")
                    + " FROM deliveries WHERE id > ?")) {
          p.setLong(1, before);
          p.executeUpdate();
        }
        c.commit();
      }
    }
  }

  /** Size and latency over the windows after {@code warmupSeconds}. */
  static void summarize(ObjectNode r, long warmupSeconds) {
    r.put("warmup_seconds", warmupSeconds);
    List<Double> sizes = new ArrayList<>();
    List<Double> p99s = new ArrayList<>();
    for (JsonNode s : r.get("samples")) {
      if (s.get("seconds").asLong() > warmupSeconds) {
        p99s.add(s.get("p99_ms").asDouble());
        sizes.add(s.get("db_mb").asDouble() + s.get("wal_mb").asDouble());
      }
    }
    if (!sizes.isEmpty()) {
      double mean = sizes.stream().mapToDouble(d -> d).average().orElse(0);
      double min = sizes.stream().mapToDouble(d -> d).min().orElse(0);
      double max = sizes.stream().mapToDouble(d -> d).max().orElse(0);
      r.put("size_after_warmup_mean_mb", mean);
      r.put("size_after_warmup_min_mb", min);
      r.put("size_after_warmup_max_mb", max);
      r.put("size_spread_percent", mean == 0 ? 0 : 100 * Math.max(max - mean, mean - min) / mean);
    }
    List<Double> sorted = new ArrayList<>(p99s);
    sorted.sort(Double::compare);
    if (!sorted.isEmpty()) {
      r.put("window_p99_median_ms", sorted.get(sorted.size() / 2));
      r.put("window_p99_max_ms", sorted.getLast());
    }
  }

  static long seconds(String duration) {
    String t = duration.strip().toLowerCase(Locale.ROOT);
    long n = Long.parseLong(t.substring(0, t.length() - 1));
    return switch (t.charAt(t.length() - 1)) {
      case 's' -> n;
      case 'm' -> n * 60;
      case 'h' -> n * 3600;
      case 'd' -> n * 86_400;
      default -> throw new IllegalArgumentException("a duration such as 30s, 5m, 2h: " + duration);
    };
  }

  /** The runs as Markdown tables: one line per window, and a summary per store. */
  static String tables(JsonNode out) {
    StringBuilder b = new StringBuilder();
    JsonNode o = out.get("options");
    b.append("Retention soak: ")
        .append(o.get("rate").asText())
        .append(" events/s; soak and baseline ")
        .append(o.get("minutes").asText())
        .append(" min, retention ")
        .append(o.get("retention").asText())
        .append(", purge every ")
        .append(o.get("purge-interval").asText())
        .append("; backlog ")
        .append(o.get("backlog").asText())
        .append("\n\n");
    out.get("stores")
        .fields()
        .forEachRemaining(
            store -> {
              String kind = store.getKey();
              JsonNode runs = store.getValue();
              b.append("### ").append(kind).append("\n\n");
              b.append(
                  "| run | window p99, median (ms) | window p99, worst (ms) | size after warm-up,"
                      + " mean (MB) | spread (±%) | backlog purged after (s) |\n");
              b.append("|---|---:|---:|---:|---:|---:|\n");
              runs.fields()
                  .forEachRemaining(
                      run -> {
                        JsonNode r = run.getValue();
                        b.append("| ")
                            .append(run.getKey())
                            .append(" | ")
                            .append(num(r, "window_p99_median_ms"))
                            .append(" | ")
                            .append(num(r, "window_p99_max_ms"))
                            .append(" | ")
                            .append(num(r, "size_after_warmup_mean_mb"))
                            .append(" | ")
                            .append(num(r, "size_spread_percent"))
                            .append(" | ")
                            .append(
                                r.path("purged_all_after_seconds").asDouble(-1) < 0
                                    ? (r.has("backlog") ? "not within the run" : "")
                                    : num(r, "purged_all_after_seconds"))
                            .append(" |\n");
                      });
              b.append("\n");
              runs.fields()
                  .forEachRemaining(
                      run -> {
                        b.append(kind)
                            .append(" / ")
                            .append(run.getKey())
                            .append(
                                "\n\n| s | received | p50 ms | p99 ms | max ms | pending |"
                                    + " purged | db MB | WAL MB |\n")
                            .append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
                        for (JsonNode s : run.getValue().get("samples")) {
                          b.append("| ")
                              .append(s.get("seconds").asLong())
                              .append(" | ")
                              .append(s.get("received").asLong())
                              .append(" | ")
                              .append(num(s, "p50_ms"))
                              .append(" | ")
                              .append(num(s, "p99_ms"))
                              .append(" | ")
                              .append(num(s, "max_ms"))
                              .append(" | ")
                              .append(s.get("pending").asLong())
                              .append(" | ")
                              .append(s.get("purged").asLong())
                              .append(" | ")
                              .append(num(s, "db_mb"))
                              .append(" | ")
                              .append(num(s, "wal_mb"))
                              .append(" |\n");
                        }
                        b.append("\n");
                      });
            });
    b.append(
        "Windows: the receiver's latency (offered to arrival) per window. Baseline and soak:"
            + " summaries leave out the first retention and purge interval (warm-up). Backlog:"
            + " the p99 summaries are over the windows in which the purge was at work.\n\n");
    if (out.get("skipped").size() > 0) {
      b.append("Skipped: ").append(out.get("skipped")).append("\n");
    }
    return b.toString();
  }

  static String num(JsonNode n, String field) {
    return n.has(field) ? String.format(Locale.ROOT, "%.1f", n.get(field).asDouble()) : "";
  }
}
