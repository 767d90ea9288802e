package org.backchannel.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.backchannel.core.store.Store;
import org.backchannel.store.JdbcStore;

final class SqliteFuzzTest extends FuzzContract {
  @Override
  Store newStore() {
    try {
      Path dir = Files.createTempDirectory("backchannel-fuzz-");
      dir.toFile().deleteOnExit();
      for (String suffix : new String[] {"", "-wal", "-shm"}) {
        dir.resolve("store.db" + suffix).toFile().deleteOnExit();
      }
      jdbcUrl = "jdbc:sqlite:" + dir.resolve("store.db");
      return JdbcStore.open(jdbcUrl);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
