package org.backchannel.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.backchannel.core.delivery.Delivery;
import org.backchannel.core.delivery.DeliveryState;
import org.backchannel.core.retention.Retention;
import org.backchannel.core.store.Store;
import org.backchannel.store.JdbcStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteRetentionTest extends RetentionContract {
  Path file;

  @Override
  Store open() {
    try {
      Path dir = Files.createTempDirectory("backchannel-retention-");
      dir.toFile().deleteOnExit();
      file = dir.resolve("store.db");
      for (String suffix : new String[] {"", "-wal", "-shm"}) {
        dir.resolve("store.db" + suffix).toFile().deleteOnExit();
      }
      return JdbcStore.open("jdbc:sqlite:" + file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  long pragma(String name) throws SQLException {
    return pragma(file, name);
  }

  static long pragma(Path db, String name) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA " + name)) {
      assertThat(rs.next()).isTrue();
      return rs.getLong(1);
    }
  }

  @Test
  void aNewFileGivesFreeSpaceBack() throws SQLException {
    assertThat(pragma("auto_vacuum")).as("2 is INCREMENTAL").isEqualTo(2);
  }

  @Test
  void aSmallFileMadeBeforeIsRewrittenToGiveFreeSpaceBack(@TempDir Path dir) throws Exception {
    Path old = dir.resolve("old.db");
    JdbcStore.open("jdbc:sqlite:" + old).close();
    // as earlier versions made it
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old);
        Statement s = c.createStatement()) {
      s.execute("PRAGMA auto_vacuum = NONE");
      s.execute("VACUUM");
    }
    assertThat(pragma(old, "auto_vacuum")).isZero();

    JdbcStore.open("jdbc:sqlite:" + old).close();

    assertThat(pragma(old, "auto_vacuum")).isEqualTo(2);
  }

  @Test
  void aLargeFileIsLeftAsItIsUntilAskedToBeRewritten(@TempDir Path dir) throws Exception {
    Path old = dir.resolve("old.db");
    JdbcStore.open("jdbc:sqlite:" + old).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old);
        Statement s = c.createStatement()) {
      s.execute("PRAGMA auto_vacuum = NONE");
      s.execute("VACUUM");
      s.execute("CREATE TABLE ballast (x BLOB)");
      s.execute(
          "INSERT INTO ballast WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
              + " WHERE i < 66) SELECT randomblob(1048576) FROM n");
    }
    assertThat(pragma(old, "page_count") * pragma(old, "page_size"))
        .isGreaterThan(64L * 1024 * 1024);

    try (JdbcStore large = JdbcStore.open("jdbc:sqlite:" + old)) {
      // opening it (serve, migrate) does not rewrite it: that could take long
      assertThat(pragma(old, "auto_vacuum")).isZero();
      // migrate --vacuum does
      assertThat(large.vacuum()).isTrue();
    }
    assertThat(pragma(old, "auto_vacuum")).isEqualTo(2);
  }

  /** Deliveries with bodies of a few KiB, finished at {@code at}. */
  List<Delivery> load(int n, Instant at) {
    byte[] body = new byte[3000];
    java.util.Arrays.fill(body, (byte) 'x');
    List<Delivery> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Delivery d = queued(ws.id(), app.id(), at, body);
      attempt(d, 1, DeliveryState.SUCCEEDED, at);
      out.add(d);
    }
    return out;
  }

  @Test
  void thePurgeGivesFreedPagesBackOnItsNextRun() throws SQLException {
    load(600, T0);
    long full = pragma("page_count");
    assertThat(pragma("freelist_count")).isLessThan(full / 20);
    clock.set(T0.plus(DAYS_30).plusSeconds(1));
    Retention r = retention("node-a", 500);

    Retention.Run first = r.purge();
    assertThat(first.deliveries()).isEqualTo(600);
    // what this run freed is kept for the writes to come
    assertThat(first.pagesReclaimed()).isZero();
    long freed = pragma("freelist_count");
    assertThat(freed).isGreaterThan(full / 2);

    Retention.Run second = r.purge();
    assertThat(second.deliveries()).isZero();
    assertThat(second.pagesReclaimed()).isEqualTo(freed);
    assertThat(pragma("freelist_count")).isZero();
    assertThat(pragma("page_count")).isLessThan(full / 2);
  }

  @Test
  void underASteadyLoadTheFileStopsGrowing() throws SQLException {
    // Each round writes a retention's worth of deliveries and purges the round before: the
    // live data stays the same, so the file must too once the first rounds have set its size.
    Duration round = Duration.ofMinutes(10);
    Retention r =
        new Retention(
            store, clock, "node-a", new Retention.Settings(round, Duration.ofMinutes(1), 500));
    retentions.add(r);
    List<Long> sizes = new ArrayList<>();
    Instant t = T0;
    for (int i = 0; i < 8; i++) {
      load(200, t);
      t = t.plus(round).plusSeconds(1);
      clock.set(t);
      r.purge();
      sizes.add(pragma("page_count"));
    }
    long settled = sizes.get(2);
    for (long size : sizes.subList(3, sizes.size())) {
      assertThat((double) size).as("page counts %s", sizes).isBetween(settled * 0.9, settled * 1.1);
    }
  }
}
