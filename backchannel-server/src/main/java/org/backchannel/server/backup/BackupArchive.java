package org.backchannel.server.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Base64;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.backchannel.core.Json;
import org.backchannel.store.SqliteBackup;

/**
 * A backup of the embedded store: one zip file of three entries, {@code manifest.json} (what made
 * it and when, and the schema), {@code backchannel.db} (a consistent copy of the SQLite database)
 * and {@code secret.key} (the key that opens the app secrets in it, so the file is as sensitive as
 * the key). Written readable by its owner only, and to its final name only once complete.
 */
public final class BackupArchive {
  static final String MANIFEST = "manifest.json";
  static final String DATABASE = "backchannel.db";
  static final String KEY = "secret.key";
  static final int FORMAT = 1;

  private BackupArchive() {}

  /**
   * What a backup says of itself.
   *
   * @param version the Backchannel release that made it
   * @param schema the newest migration applied to its database
   */
  public record Manifest(int format, String version, String schema, Instant createdAt) {}

  /**
   * Writes a backup of {@code database}, with {@code key}, to {@code to}, which must not exist.
   * Other processes may use the database meanwhile; the backup holds what was committed when the
   * copy began.
   */
  public static Manifest write(Path database, String key, String version, Path to) {
    checkKey(key, "the secret key");
    if (Files.exists(to)) {
      throw new IllegalArgumentException(
          to + " already exists; a backup is written only to a new file");
    }
    Path dir = to.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("there is no directory " + dir + " to write a backup in");
    }
    Path copy = null;
    Path partial = null;
    try {
      copy = ownerOnly(Files.createTempFile(dir, ".backchannel-backup-", ".db"));
      SqliteBackup.Schema schema = SqliteBackup.copy(database, copy);
      Manifest manifest = new Manifest(FORMAT, version, schema.schema(), Instant.now());
      partial = ownerOnly(Files.createTempFile(dir, ".backchannel-backup-", ".zip"));
      try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.WRITE);
          ZipOutputStream zip =
              new ZipOutputStream(
                  new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16))) {
        zip.putNextEntry(new ZipEntry(MANIFEST));
        zip.write(Json.bytes(json(manifest)));
        zip.closeEntry();
        zip.putNextEntry(new ZipEntry(KEY));
        zip.write((key.strip() + "\n").getBytes(StandardCharsets.US_ASCII));
        zip.closeEntry();
        zip.putNextEntry(new ZipEntry(DATABASE));
        Files.copy(copy, zip);
        zip.closeEntry();
        zip.finish();
        zip.flush();
        channel.force(true); // on disk before it takes the name that says it is complete
      }
      Files.move(partial, to, StandardCopyOption.ATOMIC_MOVE);
      return manifest;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the backup " + to + ": " + e.getMessage(), e);
    } finally {
      deleteQuietly(copy);
      deleteQuietly(partial);
    }
  }

  /**
   * Restores the backup {@code from}: its database to {@code database} and, unless {@code
   * configuredKey} is given, its key to {@code keyFile}; neither may exist yet. Refuses a backup
   * that is damaged, made by a newer Backchannel, or sealed with another key than {@code
   * configuredKey}, and then leaves nothing behind.
   */
  public static Manifest restore(Path from, Path database, Path keyFile, String configuredKey) {
    for (Path target : new Path[] {database, keyFile}) {
      if (Files.exists(target)) {
        throw new IllegalArgumentException(target + " already exists; restore writes nothing over");
      }
    }
    Path partial = null;
    boolean wroteKey = false;
    try (ZipFile zip = open(from)) {
      Manifest manifest = manifest(zip, from);
      String key = new String(read(zip, KEY, from), StandardCharsets.US_ASCII).strip();
      checkKey(key, from + ": " + KEY);
      if (configuredKey != null && !configuredKey.strip().equals(key)) {
        throw new IllegalArgumentException(
            "the app secrets in "
                + from
                + " were sealed with another key than secret_key here: unset secret_key (restore"
                + " then writes the backup's key to "
                + keyFile
                + ") or set it to the key in the backup");
      }
      Files.createDirectories(database.toAbsolutePath().getParent());
      partial =
          ownerOnly(
              Files.createTempFile(database.toAbsolutePath().getParent(), ".restoring-", ".db"));
      try (InputStream in = zip.getInputStream(entry(zip, DATABASE, from))) {
        Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
      }
      SqliteBackup.Schema schema = SqliteBackup.check(partial);
      if (schema.newerThanThisBuild()) {
        throw new IllegalArgumentException(
            "%s was made by Backchannel %s (schema %s); this one knows schema %s at most: restore it with %s or newer"
                .formatted(
                    from,
                    manifest.version(),
                    schema.schema(),
                    schema.newestKnown(),
                    manifest.version()));
      }
      if (configuredKey == null) {
        Files.createDirectories(keyFile.toAbsolutePath().getParent());
        Path written = Files.createFile(keyFile);
        wroteKey = true;
        ownerOnly(written);
        Files.writeString(written, key + "\n", StandardCharsets.US_ASCII);
      }
      Files.move(partial, database, StandardCopyOption.ATOMIC_MOVE);
      partial = null;
      return manifest;
    } catch (ZipException e) {
      if (wroteKey) {
        deleteQuietly(keyFile);
      }
      throw new IllegalArgumentException(from + " is damaged: " + e.getMessage(), e);
    } catch (IOException e) {
      if (wroteKey) {
        deleteQuietly(keyFile);
      }
      throw new UncheckedIOException("cannot restore " + from + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      if (wroteKey) {
        deleteQuietly(keyFile);
      }
      throw e;
    } finally {
      deleteQuietly(partial);
    }
  }

  private static ObjectNode json(Manifest m) {
    return Json.MAPPER
        .createObjectNode()
        .put("format", m.format())
        .put("store", "sqlite")
        .put("backchannel_version", m.version())
        .put("schema_version", m.schema())
        .put("created_at", m.createdAt().toString())
        .put("database", DATABASE)
        .put("secret_key", KEY)
        .put(
            "note",
            KEY + " opens the app secrets in " + DATABASE + ": keep this file as safe as the key");
  }

  private static Manifest manifest(ZipFile zip, Path from) throws IOException {
    JsonNode m;
    try {
      m = Json.MAPPER.readTree(read(zip, MANIFEST, from));
    } catch (IOException e) {
      throw new IllegalArgumentException(from + ": " + MANIFEST + " is not JSON");
    }
    if (m.path("format").asInt() != FORMAT || !"sqlite".equals(m.path("store").asText())) {
      throw new IllegalArgumentException(
          from + " is a backup of format " + m.path("format") + ", not " + FORMAT);
    }
    try {
      return new Manifest(
          FORMAT,
          m.path("backchannel_version").asText(),
          m.path("schema_version").asText(),
          Instant.parse(m.path("created_at").asText()));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(from + ": " + MANIFEST + " is incomplete");
    }
  }

  private static ZipFile open(Path from) throws IOException {
    if (!Files.isRegularFile(from)) {
      throw new IllegalArgumentException("there is no backup at " + from);
    }
    try {
      return new ZipFile(from.toFile());
    } catch (ZipException e) {
      throw new IllegalArgumentException(from + " is not a Backchannel backup (not a zip file)");
    }
  }

  private static ZipEntry entry(ZipFile zip, String name, Path from) {
    ZipEntry entry = zip.getEntry(name);
    if (entry == null) {
      throw new IllegalArgumentException(from + " is not a Backchannel backup: it has no " + name);
    }
    return entry;
  }

  private static byte[] read(ZipFile zip, String name, Path from) throws IOException {
    try (InputStream in = zip.getInputStream(entry(zip, name, from))) {
      return in.readNBytes(64 * 1024);
    }
  }

  private static void checkKey(String key, String what) {
    boolean ok;
    try {
      ok = Base64.getDecoder().decode(key.strip()).length == 32;
    } catch (IllegalArgumentException e) {
      ok = false;
    }
    if (!ok) {
      throw new IllegalArgumentException(what + " is not base64 of 32 bytes");
    }
  }

  /** Readable and writable by its owner only, where the file system has POSIX permissions. */
  private static Path ownerOnly(Path file) throws IOException {
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the directory's own protection has to do
    }
    return file;
  }

  private static void deleteQuietly(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        // a leftover temporary file; it has a name that says so
      }
    }
  }
}
