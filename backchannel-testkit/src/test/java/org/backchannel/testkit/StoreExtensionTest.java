package org.backchannel.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.backchannel.core.store.Store;
import org.backchannel.core.store.Tx;
import org.backchannel.core.workspace.WorkspaceStore;
import org.backchannel.store.JdbcStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class StoreExtensionTest {
  @RegisterExtension static final StoreExtension STORES = StoreExtension.postgres();

  @Test
  void givesEachParameterItsOwnMigratedStore(Store first, JdbcStore second) {
    assertThat(first.kind()).isEqualTo("postgresql");
    first.transaction(t -> t.store(WorkspaceStore.class).insertWorkspace("Acme", Instant.EPOCH));
    assertThat(first.transaction((Tx t) -> t.store(WorkspaceStore.class).workspaces())).hasSize(1);
    assertThat(second.transaction((Tx t) -> t.store(WorkspaceStore.class).workspaces())).isEmpty();
  }
}
