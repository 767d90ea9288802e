package org.backchannel.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.backchannel.core.delivery.AddressPolicy;

/**
 * Settings, layered: defaults, then a properties file, then {@code BACKCHANNEL_*} environment
 * variables, then command-line flags. Every value is checked at start, and a bad one stops the
 * start with the setting's name and the reason.
 *
 * @param allow CIDR ranges outbound calls may reach beyond public addresses
 * @param secretKey base64 of 32 bytes that encrypts app secrets at rest; null means "use or make
 *     {@code <data>/secret.key}" (embedded store only)
 */
public record Config(
    String host,
    int port,
    Path dataDir,
    String dbUrl,
    String secretKey,
    boolean dev,
    List<String> allow,
    Duration interactiveTimeout) {

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
          "interactive_timeout");

  public Config {
    allow = List.copyOf(allow);
  }

  /** Defaults: loopback, port 8080, the SQLite file under ./data. */
  public static Map<String, String> defaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("host", "127.0.0.1");
    d.put("port", "8080");
    d.put("data_dir", "data");
    d.put("dev", "false");
    d.put("allow", "");
    d.put("interactive_timeout", "10s");
    return d;
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
      for (String name : p.stringPropertyNames()) {
        if (!KEYS.contains(name)) {
          throw new IllegalArgumentException(
              "config file " + file + ": unknown setting '" + name + "' (known: " + KEYS + ")");
        }
        values.put(name, p.getProperty(name).strip());
      }
    }
    for (String key : KEYS) {
      String v = env.get("BACKCHANNEL_" + key.toUpperCase(java.util.Locale.ROOT));
      if (v != null) {
        values.put(key, v.strip());
      }
    }
    return values;
  }

  /** Checks and converts the merged values. */
  public static Config from(Map<String, String> v) {
    List<String> problems = new ArrayList<>();
    int port = -1;
    try {
      port = Integer.parseInt(v.get("port"));
      if (port < 0 || port > 65535) {
        problems.add("port: must be 0 to 65535, not " + port);
      }
    } catch (NumberFormatException e) {
      problems.add("port: must be a number, not '" + v.get("port") + "'");
    }
    Path data = Path.of(v.get("data_dir"));
    String db = v.get("db_url");
    if (db == null || db.isBlank()) {
      db = "jdbc:sqlite:" + data.resolve("backchannel.db");
    } else if (!db.startsWith("jdbc:sqlite:") && !db.startsWith("jdbc:postgresql:")) {
      problems.add("db_url: must start with jdbc:sqlite: or jdbc:postgresql:");
    }
    String key = v.get("secret_key");
    if (key != null && !key.isBlank()) {
      try {
        if (java.util.Base64.getDecoder().decode(key).length != 32) {
          problems.add("secret_key: must be base64 of exactly 32 bytes");
        }
      } catch (IllegalArgumentException e) {
        problems.add("secret_key: must be base64 of exactly 32 bytes");
      }
    } else {
      key = null;
      if (db.startsWith("jdbc:postgresql:")) {
        problems.add(
            "secret_key: is required with PostgreSQL, so that every node opens the same secrets"
                + " (make one with: openssl rand -base64 32)");
      }
    }
    String dev = v.get("dev");
    if (!dev.equals("true") && !dev.equals("false")) {
      problems.add("dev: must be true or false");
    }
    List<String> allow =
        Arrays.stream(v.getOrDefault("allow", "").split(","))
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .toList();
    try {
      AddressPolicy.allowing(allow);
    } catch (IllegalArgumentException e) {
      problems.add("allow: " + e.getMessage());
    }
    Duration timeout = null;
    try {
      timeout = duration(v.get("interactive_timeout"));
      if (timeout.compareTo(Duration.ofMillis(100)) < 0
          || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
        problems.add("interactive_timeout: must be between 100ms and 1m");
      }
    } catch (IllegalArgumentException e) {
      problems.add("interactive_timeout: " + e.getMessage());
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "invalid configuration:\n  " + String.join("\n  ", problems));
    }
    return new Config(v.get("host"), port, data, db, key, dev.equals("true"), allow, timeout);
  }

  /** Parses "250ms", "10s", "2m" or an ISO-8601 duration. */
  static Duration duration(String text) {
    String t = text.strip().toLowerCase(java.util.Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      if (t.endsWith("s")) {
        return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
      }
      if (t.endsWith("m")) {
        return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
      }
      return Duration.parse(text.strip());
    } catch (NumberFormatException | DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration such as 250ms, 10s or 2m");
    }
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
