package org.backchannel.store;

import java.util.HashMap;
import java.util.Map;
import org.backchannel.core.apps.AppStore;
import org.backchannel.core.delivery.DeliveryStore;
import org.backchannel.core.oauth.OAuthStore;
import org.backchannel.core.platform.PlatformStore;
import org.backchannel.core.retention.RetentionStore;
import org.backchannel.core.store.Tx;
import org.backchannel.core.threads.ThreadStore;
import org.backchannel.core.web.WebStore;
import org.backchannel.core.workflows.WorkflowStore;
import org.backchannel.core.workspace.WorkspaceStore;
import org.jdbi.v3.core.Handle;

/**
 * One transaction: each feature's storage on the transaction's handle, made when first asked for.
 */
final class JdbcTx implements Tx {
  private final Handle h;
  private final Dialect dialect;
  private final Map<Class<?>, Object> made = new HashMap<>(4);

  JdbcTx(Handle handle, Dialect dialect) {
    this.h = handle;
    this.dialect = dialect;
  }

  @Override
  public <S> S store(Class<S> feature) {
    return feature.cast(made.computeIfAbsent(feature, this::make));
  }

  private Object make(Class<?> feature) {
    if (feature == WorkspaceStore.class) {
      return new JdbcWorkspaceStore(h);
    } else if (feature == AppStore.class) {
      return new JdbcAppStore(h);
    } else if (feature == ThreadStore.class) {
      return new JdbcThreadStore(h, dialect);
    } else if (feature == DeliveryStore.class) {
      return new JdbcDeliveryStore(h, dialect);
    } else if (feature == WorkflowStore.class) {
      return new JdbcWorkflowStore(h, dialect);
    } else if (feature == PlatformStore.class) {
      return new JdbcPlatformStore(h);
    } else if (feature == WebStore.class) {
      return new JdbcWebStore(h);
    } else if (feature == OAuthStore.class) {
      return new JdbcOAuthStore(h);
    } else if (feature == RetentionStore.class) {
      return new JdbcRetentionStore(h, dialect);
    }
    throw new IllegalArgumentException("no storage for " + feature.getName());
  }

  /** Whether this transaction made background deliveries due. */
  boolean madeWorkDue() {
    return made.get(DeliveryStore.class) instanceof JdbcQueue queue && queue.newWork();
  }
}
