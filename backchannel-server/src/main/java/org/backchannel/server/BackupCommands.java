package org.backchannel.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.backchannel.server.backup.BackupArchive;
import org.backchannel.server.version.Version;
import org.backchannel.store.SqliteBackup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code backup} and {@code restore} of the embedded store; PostgreSQL has its own tools. */
final class BackupCommands {
  private BackupCommands() {}

  private static final String SEE = "see docs/DELIVERY.md, \"Backup and restore\"";

  @Command(
      name = "backup",
      mixinStandardHelpOptions = true,
      description = {
        "Write a consistent copy of the embedded store, with the secret key that opens its app"
            + " secrets, to one file. serve may keep running meanwhile.",
        "The file holds the secret key: keep it as safe as the key itself."
      })
  static final class Backup implements Callable<Integer> {
    @Mixin Main.StoreOptions store = new Main.StoreOptions();

    @Option(names = "--to", required = true, description = "The file to write; it must not exist.")
    Path to;

    @Override
    public Integer call() {
      Config config = store.config(Map.of());
      if (!config.embedded()) {
        throw new IllegalArgumentException(
            "backup copies the embedded SQLite store, and this installation uses PostgreSQL"
                + " (db_url): back it up with pg_dump or PostgreSQL's point-in-time recovery, and"
                + " keep secret_key safe beside it; "
                + SEE);
      }
      String key = config.secretKey() != null ? config.secretKey() : keyFromFile(config);
      Path database = SqliteBackup.file(config.dbUrl());
      BackupArchive.Manifest m = BackupArchive.write(database, key, Version.current().number(), to);
      System.out.printf(
          "backup of %s written to %s (schema %s, %d bytes)%n", database, to, m.schema(), size(to));
      System.err.printf(
          "warning: %s holds the secret key that opens the app secrets; it is readable by its"
              + " owner only: keep it, and every copy of it, as safe as the key%n",
          to);
      return 0;
    }

    /** The key serve made in the data directory; backup never makes one. */
    private static String keyFromFile(Config config) {
      Path file = BackchannelServer.keyFile(config);
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException(
            "there is no secret key: secret_key is not set and "
                + file
                + " does not exist (serve makes it on first start); without it a backup's app"
                + " secrets could not be opened");
      }
      try {
        return Files.readString(file, StandardCharsets.US_ASCII).strip();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + file, e);
      }
    }
  }

  @Command(
      name = "restore",
      mixinStandardHelpOptions = true,
      description =
          "Restore a file written by backup into an empty (or new) data directory, then start"
              + " serve on it.")
  static final class Restore implements Callable<Integer> {
    @Mixin Main.StoreOptions store = new Main.StoreOptions();

    @Option(names = "--from", required = true, description = "The backup file.")
    Path from;

    @Override
    public Integer call() {
      Config config = store.config(Map.of());
      if (!config.embedded()) {
        throw new IllegalArgumentException(
            "restore writes the embedded SQLite store, and this installation uses PostgreSQL"
                + " (db_url): restore it with pg_restore or PostgreSQL's point-in-time recovery; "
                + SEE);
      }
      Path dir = config.dataDir();
      if (!empty(dir)) {
        throw new IllegalArgumentException(
            "the data directory "
                + dir
                + " is not empty: restore writes only into an empty or new directory, so that"
                + " nothing there is overwritten");
      }
      Path keyFile = BackchannelServer.keyFile(config);
      BackupArchive.Manifest m =
          BackupArchive.restore(
              from, SqliteBackup.file(config.dbUrl()), keyFile, config.secretKey());
      System.out.printf(
          "restored the backup made at %s by Backchannel %s (schema %s) into %s%n",
          m.createdAt(), m.version(), m.schema(), dir);
      System.out.println(
          config.secretKey() == null
              ? "its secret key is in " + keyFile + " (readable by its owner only)"
              : "its app secrets open with the configured secret_key");
      return 0;
    }

    private static boolean empty(Path dir) {
      if (!Files.exists(dir)) {
        return true;
      }
      if (!Files.isDirectory(dir)) {
        return false;
      }
      try (Stream<Path> entries = Files.list(dir)) {
        return entries.findAny().isEmpty();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read the data directory " + dir, e);
      }
    }
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return -1;
    }
  }
}
