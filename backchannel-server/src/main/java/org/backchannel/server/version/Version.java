package org.backchannel.server.version;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The version and commit this build was made from, written into {@code version.properties} by the
 * build. A build from a source tarball has no commit to read: it says {@code unknown}.
 */
public record Version(String number, String commit) {
  private static final Version CURRENT = load();

  public static Version current() {
    return CURRENT;
  }

  /** For people: "Backchannel 0.1.0 (commit 1234abcd5678)". */
  public String text() {
    return "Backchannel " + number + " (commit " + commit + ")";
  }

  private static Version load() {
    Properties p = new Properties();
    try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Version(filled(p.getProperty("version")), filled(p.getProperty("commit")));
  }

  /** An unfilled placeholder (no build, or no git) reads as unknown. */
  private static String filled(String value) {
    return value == null || value.isBlank() || value.contains("${") ? "unknown" : value.strip();
  }
}
