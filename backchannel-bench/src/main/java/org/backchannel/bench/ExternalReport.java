package org.backchannel.bench;

import static org.backchannel.bench.Report.f;
import static org.backchannel.bench.Report.verdict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Writes the outside-in section of docs/BENCHMARKS.md from {@link External}'s JSON, between two
 * markers, leaving the in-process figures as they are ({@link Report} keeps this section when it
 * rewrites the page). Arguments: external.json BENCHMARKS.md [note].
 */
public final class ExternalReport {
  static final String BEGIN =
      "<!-- outside-in section: written by the external mode of bench/run -->";
  static final String END = "<!-- /outside-in -->";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ExternalReport() {}

  public static void main(String[] args) throws IOException {
    JsonNode r = JSON.readTree(Path.of(args[0]).toFile());
    Path md = Path.of(args[1]);
    String note = args.length > 2 ? args[2] : "";
    String page = Files.exists(md) ? Files.readString(md) : "# Benchmarks\n";
    Files.writeString(md, withSection(page, section(r, note)));
    System.out.println("wrote the outside-in section of " + md);
  }

  /** The page with its outside-in section replaced, or added after the title's paragraph. */
  static String withSection(String page, String section) {
    return withBlock(page, BEGIN + "\n" + section + END + "\n");
  }

  static String withBlock(String page, String block) {
    int b = page.indexOf(BEGIN);
    int e = page.indexOf(END);
    if (b >= 0 && e > b) {
      return page.substring(0, b) + block + page.substring(e + END.length() + 1);
    }
    int at = page.indexOf("\n## ");
    return at < 0
        ? page + "\n" + block
        : page.substring(0, at + 1) + block + "\n" + page.substring(at + 1);
  }

  /** The section as it stands in a page, or "" (for {@link Report}, which rewrites the rest). */
  static String existing(String page) {
    int b = page.indexOf(BEGIN);
    int e = page.indexOf(END);
    return b >= 0 && e > b ? page.substring(b, e + END.length() + 1) : "";
  }

  static String section(JsonNode r, String note) {
    StringBuilder b = new StringBuilder();
    JsonNode m = r.get("machine");
    JsonNode stores = r.get("stores");
    JsonNode peers = r.get("peers");
    List<String> kinds = names(stores);
    b.append("## Outside-in (separate processes)\n\n");
    b.append(
        """
        ```sh
        bench/run --external           # serve, receiver, load client, PostgreSQL, Redis and the peers, each its own process
        bench/run --external --quick   # 10,000 events and short runs: a smoke test of the harness (minutes)
        bench/run --external --help    # every option
        ```

        `serve` runs from its built class path as its own process, used only through its public surface:
        `init` for the first token, then the HTTP API. The receiver (`ReceiverMain`, answers `204` to every
        POST, counts, reads the `"t"` offered time for latency, checks that `webhook-signature` is there)
        and the load client (`External`, the JDK `HttpClient` over keep-alive connections) are two more JVMs.
        PostgreSQL is Debian's server started by `bench/run` on a fresh cluster with `fsync`,
        `synchronous_commit` and `full_page_writes` on (no unlogged tables); Redis is Debian's
        `redis-server` with `appendonly yes`, `appendfsync everysec`. Every port is on 127.0.0.1;
        everything started is stopped when the run ends. CPU is `utime+stime` from `/proc/<pid>/stat`
        of each process, and for PostgreSQL of the postmaster, its live backends and those that ended.

        """);
    b.append("- Machine: ")
        .append(m.get("cpus").asInt())
        .append(" CPUs (")
        .append(m.get("cpu_model").asText())
        .append("), ")
        .append(m.get("jdk").asText())
        .append(", ")
        .append(m.get("os").asText())
        .append("\n- Load average at start `")
        .append(m.get("loadavg_start").asText())
        .append("`, at end `")
        .append(r.get("loadavg_end").asText())
        .append("`\n- Options: `");
    List<String> opts = new ArrayList<>();
    r.get("options")
        .properties()
        .forEach(
            e -> {
              if (!e.getKey().endsWith("classpath")
                  && !e.getKey().endsWith("file")
                  && !e.getKey().equals("out")
                  && !e.getKey().equals("peers-dir")
                  && !e.getKey().equals("skipped")
                  && !e.getKey().equals("pg-url")
                  && !e.getKey().equals("redis-port")
                  && !e.getValue().asText().isEmpty()) {
                opts.add("--" + e.getKey() + "=" + e.getValue().asText());
              }
            });
    b.append(String.join(" ", opts)).append("`\n");
    if (!note.isBlank()) {
      b.append("- Note: ").append(note).append("\n");
    }
    b.append("- The receiver alone (plain POSTs from the load client, ")
        .append(r.get("options").get("clients").asText())
        .append(" in flight): ")
        .append(f(r.get("receiver_raw").get("per_second").asDouble()))
        .append("/s\n");
    r.get("skipped")
        .properties()
        .forEach(
            e ->
                b.append("- Skipped ")
                    .append(e.getKey())
                    .append(": ")
                    .append(e.getValue().asText())
                    .append("\n"));
    b.append("\n### Targets, as ratios measured in this run\n\n");
    b.append("| target | ").append(String.join(" | ", kinds)).append(" |\n|---|");
    kinds.forEach(k -> b.append("---|"));
    b.append("\n");
    row(
        b,
        "deliveries ≥ 2× the best peer (SQLite) / graphile-worker (PostgreSQL)",
        kinds,
        k -> {
          JsonNode ref = reference(k, peers);
          double v = stores.get(k).get("drain").get("per_second").asDouble();
          if (ref == null) {
            return f(v) + "/s; no peer to compare with in this run";
          }
          double ratio = v / ref.get("drain").get("per_second").asDouble();
          return f(v)
              + "/s = "
              + ratio(ratio)
              + " "
              + ref.get("name").asText()
              + " "
              + verdict(ratio >= 2);
        });
    row(
        b,
        "CPU per delivery (app + database) ≤ half the same peer's",
        kinds,
        k -> {
          JsonNode ref = reference(k, peers);
          double v = backchannelCpu(stores.get(k).get("drain"), "delivery");
          if (ref == null) {
            return f3(v) + " ms; no peer to compare with";
          }
          double theirs = peerCpu(ref.get("drain"));
          return f3(v)
              + " ms vs "
              + f3(theirs)
              + " ms = "
              + ratio(v / theirs)
              + " "
              + verdict(v <= theirs / 2);
        });
    row(
        b,
        "single-event publish ≥ 20,000/s (64 clients), ≥ 0.8× BullMQ's enqueue",
        kinds,
        k -> {
          double v = stores.get(k).get("ingest").get("per_second").asDouble();
          String s = f(v) + "/s " + verdict(v >= 20_000);
          if (peers.has("bullmq")) {
            double ratio = v / peers.get("bullmq").get("ingest").get("per_second").asDouble();
            s += "; " + ratio(ratio) + " BullMQ " + verdict(ratio >= 0.8);
          }
          return s;
        });
    row(
        b,
        "server CPU per published event ≤ 0.05 ms",
        kinds,
        k -> {
          double v = stores.get(k).get("ingest").get("server_cpu_ms_per_call").asDouble();
          return f3(v) + " ms " + verdict(v <= 0.05);
        });
    row(
        b,
        "batch publish ≥ 100,000 events/s",
        kinds,
        k -> {
          JsonNode bt = stores.get(k).get("batch");
          if (!bt.get("available").asBoolean()) {
            return "not available: " + bt.get("why").asText();
          }
          double v = bt.get("per_second").asDouble();
          return f(v) + "/s " + verdict(v >= 100_000);
        });
    row(
        b,
        "`POST /messages` ≥ 10,000/s",
        kinds,
        k -> {
          double v = stores.get(k).get("messages").get("per_second").asDouble();
          return f(v) + "/s " + verdict(v >= 10_000);
        });
    row(
        b,
        "UpdateAction overhead p99 ≤ 3 ms",
        kinds,
        k -> {
          double v = stores.get(k).get("action").get("overhead_ms").get("p99").asDouble();
          return f(v) + " ms " + verdict(v <= 3);
        });
    for (int[] t : new int[][] {{1000, 20}, {5000, 50}}) {
      row(
          b,
          "queued event → receiver p99 ≤ "
              + t[1]
              + " ms at "
              + String.format(Locale.ROOT, "%,d", t[0])
              + "/s",
          kinds,
          k -> {
            for (JsonNode l : stores.get(k).get("latency")) {
              if (l.get("offered_per_second").asInt() == t[0]) {
                double v = l.get("event_to_receiver_ms").get("p99").asDouble();
                return f(v) + " ms " + verdict(v <= t[1]);
              }
            }
            return "not run";
          });
    }
    JsonNode st = r.path("startup");
    if (st.isMissingNode()) {
      b.append("\n");
      return tables(b, r, kinds, stores, peers, st);
    }
    double serve = median(st.get("serve"), "seconds_to_healthy");
    double hello = median(st.get("hello"), "seconds_to_healthy");
    double rss = median(st.get("serve"), "idle_rss_mb");
    double helloRss = median(st.get("hello"), "idle_rss_mb");
    b.append("| `serve` healthy no later than a bare Javalin hello-world (medians) | ")
        .append(f(serve))
        .append(" s vs ")
        .append(f(hello))
        .append(" s = ")
        .append(ratio(serve / hello))
        .append(" ")
        .append(verdict(serve <= hello))
        .append(" |");
    kinds.stream().skip(1).forEach(k -> b.append(" |"));
    b.append("\n| `serve` idle RSS ≤ 150 MB (median) | ")
        .append(f(rss))
        .append(" MB (hello-world ")
        .append(f(helloRss))
        .append(" MB) ")
        .append(verdict(rss <= 150))
        .append(" |");
    kinds.stream().skip(1).forEach(k -> b.append(" |"));
    b.append("\n\n");
    return tables(b, r, kinds, stores, peers, st);
  }

  static String tables(
      StringBuilder b,
      JsonNode r,
      List<String> kinds,
      JsonNode stores,
      JsonNode peers,
      JsonNode st) {
    b.append("### Publish and drain, side by side\n\n");
    b.append(
        "Ingest: Backchannel through `POST /api/v1/apps/{id}/events`, one event per call, with `serve`'s worker off"
            + " (`BACKCHANNEL_WORKER=false`) so the backlog builds up; a peer through its own enqueue call inside its"
            + " process. Drain: `serve` restarted with its worker on the backlog (warm-up events included), timed from"
            + " the first receipt until the receiver has them all and `/metrics` shows nothing pending or sending; a peer's"
            + " worker until every job has completed and its row is gone. CPU ms are per event or per delivery;"
            + " \"app\" is `serve` or the peer's own process, \"db\" the PostgreSQL or Redis server.\n\n");
    b.append(
        "| system | ingest/s | app CPU ms / event | db CPU ms / event | deliveries | deliveries/s | app CPU ms / delivery | db CPU ms / delivery | signed at the receiver |\n|---|---|---|---|---|---|---|---|---|\n");
    for (String k : kinds) {
      JsonNode i = stores.get(k).get("ingest");
      JsonNode d = stores.get(k).get("drain");
      b.append("| Backchannel, ")
          .append(k)
          .append(" | ")
          .append(f(i.get("per_second").asDouble()))
          .append(" | ")
          .append(f3(i.get("server_cpu_ms_per_call").asDouble()))
          .append(" | ")
          .append(
              i.has("db_cpu_ms_per_call")
                  ? f3(i.get("db_cpu_ms_per_call").asDouble())
                  : "(in process)")
          .append(" | ")
          .append(f(d.get("deliveries").asDouble()))
          .append(" | ")
          .append(f(d.get("per_second").asDouble()))
          .append(" | ")
          .append(f3(d.get("server_cpu_ms_per_delivery").asDouble()))
          .append(" | ")
          .append(
              d.has("db_cpu_ms_per_delivery")
                  ? f3(d.get("db_cpu_ms_per_delivery").asDouble())
                  : "(in process)")
          .append(" | ")
          .append(f(d.get("signed").asDouble()))
          .append(" |\n");
    }
    for (String p : names(peers)) {
      JsonNode i = peers.get(p).get("ingest");
      JsonNode d = peers.get(p).get("drain");
      b.append("| ")
          .append(p)
          .append(" (")
          .append(peers.get(p).get("store").asText())
          .append(") | ")
          .append(f(i.get("per_second").asDouble()))
          .append(" | ")
          .append(f3(i.get("app_cpu_ms_per_item").asDouble()))
          .append(" | ")
          .append(f3(i.get("db_cpu_ms_per_item").asDouble()))
          .append(" | ")
          .append(f(d.get("count").asDouble()))
          .append(" | ")
          .append(f(d.get("per_second").asDouble()))
          .append(" | ")
          .append(f3(d.get("app_cpu_ms_per_item").asDouble()))
          .append(" | ")
          .append(f3(d.get("db_cpu_ms_per_item").asDouble()))
          .append(" | ")
          .append(f(d.get("signed").asDouble()))
          .append(" |\n");
    }
    b.append(
        "\nPeers: graphile-worker and BullMQ from `bench/peers/` (Node, `npm ci` at run time), db-scheduler"
            + " (`DbSchedulerPeer`, Java); each job signs with Standard Webhooks, POSTs to the same receiver over"
            + " keep-alive and records the attempt (graphile-worker and db-scheduler insert a row in an `attempts`"
            + " table; BullMQ keeps it as the completed job's return value in Redis). Their enqueue is an in-process"
            + " call, Backchannel's an HTTP request, so the ingest columns compare a front door with a library call.\n\n");

    b.append("### Latency, UpdateAction, `POST /messages`, batch\n\n");
    b.append(
        "Open loop at fixed offered rates: each event is published on its own schedule, carries its scheduled"
            + " time, and the receiver (another process; both read the same monotonic clock) subtracts it from its"
            + " arrival. `serve` was restarted for the drain, so `--latency-warmup-seconds` at the first rate, not"
            + " counted, come first.\n\n");
    b.append(
        "| store | offered | received | queued → receiver p50 / p99 / p99.9 / max (ms) | publish p50 / p99 (ms) |\n|---|---|---|---|---|\n");
    for (String k : kinds) {
      for (JsonNode l : stores.get(k).get("latency")) {
        Report.latencyRow(b, k, l);
      }
    }
    for (String k : kinds) {
      for (JsonNode l : stores.get(k).get("latency")) {
        if (l.path("failed").asLong() > 0
            || l.get("offered_per_second").asDouble()
                > stores.get(k).get("drain").get("per_second").asDouble()) {
          b.append("\nOn ")
              .append(k)
              .append(" at ")
              .append(l.get("offered_per_second").asInt())
              .append("/s: ")
              .append(l.path("failed").asLong())
              .append(" publishes failed")
              .append(
                  l.has("first_failure") ? " (first: " + l.get("first_failure").asText() + ")" : "")
              .append(", and the offered rate is ")
              .append(
                  l.get("offered_per_second").asDouble()
                          > stores.get(k).get("drain").get("per_second").asDouble()
                      ? "above"
                      : "below")
              .append(" what this run drained (")
              .append(f(stores.get(k).get("drain").get("per_second").asDouble()))
              .append(
                  "/s): where it is above, these latencies measure a growing backlog, not the path of one event.\n");
        }
      }
    }
    b.append(
        "\nUpdateAction: presses of `POST /api/v1/threads/{id}/actions/0` one at a time over one keep-alive"
            + " connection, measured after `--press-warmup-seconds` of presses (a long-running `serve` has"
            + " its press path compiled), then as many direct POSTs of the action's body to the same receiver"
            + " (after 200 not measured); overhead = press − direct at each percentile.\n\n");
    b.append(
        "| store | presses (warm-up) | press p50 / p99 / p99.9 (ms) | direct POST p50 / p99 / p99.9 (ms) | overhead p50 / p99 (ms) |\n|---|---|---|---|---|\n");
    for (String k : kinds) {
      JsonNode a = stores.get(k).get("action");
      b.append("| ")
          .append(k)
          .append(" | ")
          .append(a.get("presses").asInt())
          .append(" (")
          .append(a.path("warm_up_presses").asInt())
          .append(") | ")
          .append(Report.triple(a.get("press_ms")))
          .append(" | ")
          .append(Report.triple(a.get("direct_ms")))
          .append(" | ")
          .append(f(a.get("overhead_ms").get("p50").asDouble()))
          .append(" / ")
          .append(f(a.get("overhead_ms").get("p99").asDouble()))
          .append(" |\n");
    }
    b.append(
        "\n| store | `POST /messages`/s (64 clients, chat messages into 64 threads) | server CPU ms / message | batch route |\n|---|---|---|---|\n");
    for (String k : kinds) {
      JsonNode msg = stores.get(k).get("messages");
      JsonNode bt = stores.get(k).get("batch");
      b.append("| ")
          .append(k)
          .append(" | ")
          .append(f(msg.get("per_second").asDouble()))
          .append(" | ")
          .append(f3(msg.get("server_cpu_ms_per_call").asDouble()))
          .append(" | ")
          .append(
              bt.get("available").asBoolean()
                  ? f(bt.get("per_second").asDouble())
                      + " events/s in calls of "
                      + bt.get("batch_size").asInt()
                      + ", "
                      + f3(bt.get("server_cpu_ms_per_event").asDouble())
                      + " ms server CPU / event"
                  : "not available (" + bt.get("why").asText() + ")")
          .append(" |\n");
    }
    if (st.isMissingNode()) {
      return b.toString();
    }
    String by = st.path("serve_started_by").asText("java -cp");
    b.append(
        by.equals("java -cp")
            ? "\nStart-up: `serve --dev` (embedded SQLite; the first start on a fresh data dir) and"
                + " `HelloJavalin` (Javalin 7, one route) started alternately with the same `java`,"
                + " flags and way of starting;"
            : "\nStart-up: `serve --dev` (embedded SQLite) started as a user starts it, by `"
                + Path.of(by).getFileName()
                + "`, with the AOT cache the launcher keeps (made by two starts before these, not"
                + " counted: one records, one makes the cache), alternately with `HelloJavalin`"
                + " (Javalin 7, one route)"
                + " started by `java` on the same class path without a cache;");
    b.append(
        " time from process start to the first `200` from `GET /healthz`, RSS from"
            + " `/proc/<pid>/status` after "
            + st.get("idle_seconds").asInt()
            + " s idle.\n\n");
    b.append("| process | seconds to healthy | idle RSS (MB) |\n|---|---|---|\n");
    for (String which : List.of("serve", "hello")) {
      for (JsonNode run : st.get(which)) {
        b.append("| ")
            .append(which.equals("serve") ? "`serve`" : "hello-world")
            .append(run.get("fresh_data_dir").asBoolean() ? " (fresh data dir)" : "")
            .append(" | ")
            .append(f(run.get("seconds_to_healthy").asDouble()))
            .append(" | ")
            .append(f(run.get("idle_rss_mb").asDouble()))
            .append(" |\n");
      }
    }
    if (r.has("scale")) {
      b.append(
          "\nScale: `serve` nodes on one PostgreSQL (`--nodes`), each count on a fresh database: a"
              + " backlog published with every worker off, then that many nodes started together"
              + " with their workers (distinct `node` names) to drain it; the same timing as the"
              + " drain above. App CPU is every node's together.\n\n");
      b.append(
          "| nodes | deliveries | deliveries/s | app CPU ms / delivery | db CPU ms / delivery |"
              + "\n|---|---|---|---|---|\n");
      for (JsonNode n : r.get("scale")) {
        b.append("| ")
            .append(n.get("nodes").asInt())
            .append(" | ")
            .append(f(n.get("deliveries").asDouble()))
            .append(" | ")
            .append(f(n.get("per_second").asDouble()))
            .append(" | ")
            .append(f3(n.get("server_cpu_ms_per_delivery").asDouble()))
            .append(" | ")
            .append(f3(n.path("db_cpu_ms_per_delivery").asDouble()))
            .append(" |\n");
      }
    }
    b.append("\n");
    return b.toString();
  }

  /** The peer a store is held against: graphile-worker on PostgreSQL, the fastest on SQLite. */
  static JsonNode reference(String kind, JsonNode peers) {
    if (kind.equals("postgres")) {
      return peers.has("graphile-worker")
          ? named("graphile-worker", peers.get("graphile-worker"))
          : null;
    }
    JsonNode best = null;
    for (String p : names(peers)) {
      if (best == null
          || peers.get(p).get("drain").get("per_second").asDouble()
              > best.get("drain").get("per_second").asDouble()) {
        best = named(p, peers.get(p));
      }
    }
    return best;
  }

  static JsonNode named(String name, JsonNode peer) {
    return ((com.fasterxml.jackson.databind.node.ObjectNode) peer.deepCopy()).put("name", name);
  }

  static double backchannelCpu(JsonNode drain, String per) {
    return drain.get("server_cpu_ms_per_" + per).asDouble()
        + drain.path("db_cpu_ms_per_" + per).asDouble(0);
  }

  static double peerCpu(JsonNode drain) {
    return drain.get("app_cpu_ms_per_item").asDouble() + drain.get("db_cpu_ms_per_item").asDouble();
  }

  static double median(JsonNode runs, String key) {
    List<Double> v = new ArrayList<>();
    runs.forEach(x -> v.add(x.get(key).asDouble()));
    v.sort(Double::compare);
    return v.isEmpty() ? -1 : v.get(v.size() / 2);
  }

  static List<String> names(JsonNode o) {
    List<String> l = new ArrayList<>();
    o.fieldNames().forEachRemaining(l::add);
    return l;
  }

  static void row(StringBuilder b, String name, List<String> kinds, Function<String, String> cell) {
    b.append("| ").append(name).append(" |");
    for (String k : kinds) {
      b.append(" ").append(cell.apply(k)).append(" |");
    }
    b.append("\n");
  }

  static String ratio(double v) {
    return String.format(Locale.ROOT, "%.2f×", v);
  }

  static String f3(double v) {
    return String.format(Locale.ROOT, "%.3f", v);
  }
}
