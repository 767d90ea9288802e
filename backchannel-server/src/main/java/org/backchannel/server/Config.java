package org.backchannel.server;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.backchannel.core.Durations;
import org.backchannel.core.Validation;
import org.backchannel.core.delivery.AddressPolicy;
import org.backchannel.core.retention.Retention;
import org.backchannel.core.wiring.Backchannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settings, layered: defaults, then a properties file, then {@code BACKCHANNEL_*} environment
 * variables, then command-line flags. Every value is checked at start, and a bad one stops the
 * start with the setting's name and the reason.
 *
 * @param allow CIDR ranges outbound calls may reach beyond public addresses
 * @param secretKey base64 of 32 bytes that encrypts app secrets at rest; null means "use or make
 *     {@code <data>/secret.key}" (embedded store only)
 * @param worker whether this process sends background deliveries
 * @param node this process's name in delivery leases
 * @param lease how long a claimed delivery is held before another node may take it over
 * @param workerConcurrency how many background deliveries this process sends at once (not an
 *     endpoint's {@code max_in_flight}, which bounds one endpoint across every process)
 * @param shutdownDelay how long a stopping process keeps serving, with {@code /readyz} answering
 *     503, before it stops accepting requests: the time a load balancer needs to take it out
 * @param publicUrl the address people and apps reach Backchannel on, without a trailing slash; null
 *     means "this server's own host and port"
 * @param metricsToken the bearer token {@code /metrics} requires; null: none
 * @param smtp where email notices go; null: none are sent
 * @param retention how long finished deliveries are kept (a workspace's admin may set its own)
 * @param purgeInterval how often expired deliveries are removed
 * @param purgeBatch the most deliveries one purge transaction removes
 */
public record Config(
    String host,
    int port,
    Path dataDir,
    String dbUrl,
    String secretKey,
    boolean dev,
    List<String> allow,
    Duration interactiveTimeout,
    boolean worker,
    String node,
    Duration backgroundTimeout,
    Duration lease,
    List<Duration> retrySchedule,
    Duration disableAfter,
    int workerConcurrency,
    Duration shutdownGrace,
    Duration shutdownDelay,
    String publicUrl,
    String metricsToken,
    Smtp smtp,
    Duration retention,
    Duration purgeInterval,
    int purgeBatch) {

  /** The settings' names, as keys in the file; the environment uses BACKCHANNEL_ + upper case. */
  static final List<String> KEYS =
      List.of(
          "host",
          "port",
          "data_dir",
          "db_url",
          "secret_key",
          "dev",
          "allow",
          "interactive_timeout",
          "worker",
          "node",
          "background_timeout",
          "lease",
          "retry_schedule",
          "disable_after",
          "worker_concurrency",
          "shutdown_grace",
          "shutdown_delay",
          "public_url",
          "metrics_token",
          "smtp_host",
          "smtp_port",
          "smtp_username",
          "smtp_password",
          "smtp_from",
          "smtp_starttls",
          "retention",
          "purge_interval",
          "purge_batch");

  /** Former names still read, with a warning, mapped to their settings. */
  static final Map<String, String> DEPRECATED = Map.of("max_in_flight", "worker_concurrency");

  private static final Logger LOG = LoggerFactory.getLogger(Config.class);

  public Config {
    allow = List.copyOf(allow);
    retrySchedule = List.copyOf(retrySchedule);
  }

  /**
   * The SMTP server that emails admins when an endpoint is disabled.
   *
   * @param username null: the server takes mail without signing in
   * @param starttls whether the connection must be upgraded to TLS before anything is sent
   */
  public record Smtp(
      String host, int port, String username, String password, String from, boolean starttls) {
    /** Never the password: settings may end up in a log. */
    @Override
    public String toString() {
      return "Smtp["
          + host
          + ":"
          + port
          + ", from "
          + from
          + ", user "
          + username
          + ", starttls "
          + starttls
          + "]";
    }
  }

  /** Never the secrets (key, metrics token, SMTP password): settings may end up in a log. */
  @Override
  public String toString() {
    return "Config[host="
        + host
        + ", port="
        + port
        + ", dbUrl="
        + dbUrl.replaceAll("password=[^&]*", "password=…")
        + ", node="
        + node
        + ", smtp="
        + smtp
        + "]";
  }

  /**
   * Defaults: loopback, port 8080, the SQLite file under ./data; the delivery engine's tunables as
   * core defines them ({@link Backchannel.Settings#defaults()}).
   */
  public static Map<String, String> defaults() {
    Backchannel.Settings engine = Backchannel.Settings.defaults();
    Map<String, String> d = new LinkedHashMap<>();
    d.put("host", "127.0.0.1");
    d.put("port", "8080");
    d.put("data_dir", "data");
    d.put("dev", "false");
    d.put("allow", "");
    d.put("interactive_timeout", text(engine.interactiveTimeout()));
    d.put("worker", "true");
    d.put("background_timeout", text(engine.backgroundTimeout()));
    d.put("lease", text(engine.worker().lease()));
    d.put(
        "retry_schedule",
        String.join(",", engine.retry().schedule().stream().map(Config::text).toList()));
    d.put("disable_after", text(engine.retry().disableAfter()));
    d.put("worker_concurrency", Integer.toString(engine.worker().concurrency()));
    d.put("shutdown_grace", "10s");
    d.put("shutdown_delay", "0s");
    d.put("smtp_port", "587");
    d.put("smtp_starttls", "true");
    d.put("retention", text(engine.retention().retention()));
    d.put("purge_interval", text(engine.retention().interval()));
    d.put("purge_batch", Integer.toString(engine.retention().batch()));
    return d;
  }

  /** A duration as the settings write it: "10s", "5m", "2h", "5d", or "250ms". */
  static String text(Duration d) {
    return Durations.text(d);
  }

  /** Puts a value under its setting's current name, warning when it came by a former one. */
  private static void put(Map<String, String> values, String name, String value, String where) {
    String current = DEPRECATED.get(name);
    if (current != null) {
      LOG.warn("{}: '{}' is deprecated; use '{}'", where, name, current);
      name = current;
    }
    values.put(name, value);
  }

  /** Reads the layers below the flags: defaults, the file (if any), the environment. */
  public static Map<String, String> layered(Path file, Map<String, String> env) {
    Map<String, String> values = defaults();
    if (file != null) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file)) {
        p.load(r);
      } catch (IOException e) {
        throw new IllegalArgumentException(
            "config file " + file + " cannot be read: " + e.getMessage());
      }
      // Former names first, so that a setting's current name wins when both are given.
      List<String> names = new ArrayList<>(p.stringPropertyNames());
      names.sort((a, b) -> Boolean.compare(!DEPRECATED.containsKey(a), !DEPRECATED.containsKey(b)));
      for (String name : names) {
        if (!KEYS.contains(name) && !DEPRECATED.containsKey(name)) {
          throw new IllegalArgumentException(
              "config file " + file + ": unknown setting '" + name + "' (known: " + KEYS + ")");
        }
        put(values, name, p.getProperty(name).strip(), "config file " + file);
      }
    }
    List<String> names = new ArrayList<>(DEPRECATED.keySet());
    names.addAll(KEYS);
    for (String key : names) {
      String variable = "BACKCHANNEL_" + key.toUpperCase(Locale.ROOT);
      String v = env.get(variable);
      if (v != null) {
        put(values, key, v.strip(), "environment variable " + variable);
      }
    }
    return values;
  }

  /** Checks and converts the merged values; reports every bad one at once. */
  public static Config from(Map<String, String> v) {
    Checks c = new Checks(v);
    int port = c.integer("port", 0, 65535);
    Path data = Path.of(v.get("data_dir"));
    String db = v.get("db_url");
    if (db == null || db.isBlank()) {
      db = "jdbc:sqlite:" + data.resolve("backchannel.db");
    } else if (!db.startsWith("jdbc:sqlite:") && !db.startsWith("jdbc:postgresql:")) {
      c.problem("db_url", "must start with jdbc:sqlite: or jdbc:postgresql:");
    }
    String key = v.get("secret_key");
    if (key == null || key.isBlank()) {
      key = null;
      if (db.startsWith("jdbc:postgresql:")) {
        c.problem(
            "secret_key",
            "is required with PostgreSQL, so that every node opens the same secrets"
                + " (make one with: openssl rand -base64 32)");
      }
    } else if (!isKey(key)) {
      c.problem("secret_key", "must be base64 of exactly 32 bytes");
    }
    List<String> allow =
        Arrays.stream(v.getOrDefault("allow", "").split(","))
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .toList();
    try {
      AddressPolicy.allowing(allow);
    } catch (IllegalArgumentException e) {
      c.problem("allow", e.getMessage());
    }
    List<Duration> schedule = new ArrayList<>();
    for (String part : v.get("retry_schedule").split(",")) {
      try {
        schedule.add(duration(part));
      } catch (IllegalArgumentException e) {
        c.problem("retry_schedule", e.getMessage());
      }
    }
    String node = v.get("node");
    String publicUrl = v.get("public_url");
    if (publicUrl == null || publicUrl.isBlank()) {
      publicUrl = null;
    } else {
      publicUrl = publicUrl.strip().replaceAll("/+$", "");
      if (!Validation.isHttpUrl(publicUrl)) {
        c.problem("public_url", "must be an absolute http or https URL, not '" + publicUrl + "'");
      }
    }
    String metricsToken = blankToNull(v.get("metrics_token"));
    if (metricsToken != null && (metricsToken.length() < 16 || !metricsToken.matches("\\S+"))) {
      c.problem("metrics_token", "must be at least 16 characters, without spaces");
    }
    Smtp smtp = smtp(c, v);
    Config config =
        new Config(
            v.get("host"),
            port,
            data,
            db,
            key,
            c.bool("dev"),
            allow,
            c.duration("interactive_timeout", Duration.ofMillis(100), Duration.ofMinutes(1)),
            c.bool("worker"),
            node == null || node.isBlank() ? defaultNode() : node.strip(),
            c.duration("background_timeout", Duration.ofMillis(100), Duration.ofMinutes(5)),
            c.duration("lease", Duration.ofSeconds(1), Duration.ofHours(1)),
            schedule,
            c.duration("disable_after", Duration.ofMinutes(1), Duration.ofDays(365)),
            c.integer("worker_concurrency", 1, 10_000),
            c.duration("shutdown_grace", Duration.ZERO, Duration.ofMinutes(10)),
            c.duration("shutdown_delay", Duration.ZERO, Duration.ofMinutes(10)),
            publicUrl,
            metricsToken,
            smtp,
            c.duration("retention", Retention.MIN, Retention.MAX),
            c.duration("purge_interval", Duration.ofSeconds(1), Duration.ofHours(1)),
            c.integer("purge_batch", 1, 10_000));
    c.throwIfAny();
    return config;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  /** The SMTP settings, checked; null without {@code smtp_host}. */
  private static Smtp smtp(Checks c, Map<String, String> v) {
    int port = c.integer("smtp_port", 1, 65535);
    boolean starttls = c.bool("smtp_starttls");
    String host = blankToNull(v.get("smtp_host"));
    if (host == null) {
      return null;
    }
    String user = blankToNull(v.get("smtp_username"));
    String password = v.get("smtp_password");
    password = password == null || password.isEmpty() ? null : password;
    if ((user == null) != (password == null)) {
      c.problem("smtp_password", "smtp_username and smtp_password go together");
    }
    String from = blankToNull(v.get("smtp_from"));
    if (from == null) {
      c.problem("smtp_from", "is required with smtp_host: the address notices are sent from");
    } else {
      try {
        new jakarta.mail.internet.InternetAddress(from, true);
      } catch (jakarta.mail.internet.AddressException e) {
        c.problem("smtp_from", "must be an email address, not '" + from + "'");
      }
    }
    return new Smtp(host, port, user, password, from, starttls);
  }

  /** Collects every problem with the values, so one start reports them all. */
  private static final class Checks {
    private final Map<String, String> v;
    private final List<String> problems = new ArrayList<>();

    Checks(Map<String, String> v) {
      this.v = v;
    }

    void problem(String name, String reason) {
      problems.add(name + ": " + reason);
    }

    int integer(String name, int min, int max) {
      try {
        int n = Integer.parseInt(v.get(name).strip());
        if (n < min || n > max) {
          problem(name, "must be " + min + " to " + max + ", not " + n);
        }
        return n;
      } catch (NumberFormatException | NullPointerException e) {
        problem(name, "must be a whole number, not '" + v.get(name) + "'");
        return min;
      }
    }

    boolean bool(String name) {
      String value = v.get(name);
      if (!"true".equals(value) && !"false".equals(value)) {
        problem(name, "must be true or false, not '" + value + "'");
      }
      return "true".equals(value);
    }

    Duration duration(String name, Duration min, Duration max) {
      try {
        Duration d = Config.duration(v.get(name));
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
          problem(name, "must be between " + text(min) + " and " + text(max) + ", not " + text(d));
        }
        return d;
      } catch (IllegalArgumentException | NullPointerException e) {
        problem(name, e.getMessage());
        return min;
      }
    }

    void throwIfAny() {
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(
            "invalid configuration:\n  " + String.join("\n  ", problems));
      }
    }
  }

  private static boolean isKey(String key) {
    try {
      return Base64.getDecoder().decode(key).length == 32;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** host-pid: unique per process, and says where a lease came from. */
  private static String defaultNode() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "node";
    }
    return host + "-" + ProcessHandle.current().pid();
  }

  /** Parses "250ms", "10s", "2m", "5h", "5d" or an ISO-8601 duration. */
  static Duration duration(String text) {
    return Durations.parse(text);
  }

  /**
   * The base of every link Backchannel prints or sends: {@code public_url}, or else this server's
   * own address on {@code port} (a wildcard listen address reads as loopback).
   */
  public String baseUrl(int port) {
    if (publicUrl != null) {
      return publicUrl;
    }
    String h = host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1" : host;
    return "http://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + port;
  }

  /** Where outbound calls may go: public addresses, plus loopback in dev, plus the allow-list. */
  public AddressPolicy addressPolicy() {
    List<String> ranges = new ArrayList<>(allow);
    if (dev) {
      ranges.add("127.0.0.0/8");
      ranges.add("::1/128");
    }
    return AddressPolicy.allowing(ranges);
  }

  public boolean embedded() {
    return dbUrl.startsWith("jdbc:sqlite:");
  }
}
