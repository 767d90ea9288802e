package org.backchannel.testkit;

import java.util.function.Supplier;
import org.backchannel.core.store.Store;
import org.backchannel.store.JdbcStore;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test method or constructor a fresh migrated store: declare a {@link Store} or {@link
 * JdbcStore} parameter. The store is closed when the test's scope ends. With
 * {@code @ExtendWith(StoreExtension.class)} it is SQLite; register {@link #postgres()} with
 * {@code @RegisterExtension} for PostgreSQL.
 */
public final class StoreExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(StoreExtension.class);

  private final Supplier<JdbcStore> opener;

  /** SQLite, a new file per test. */
  public StoreExtension() {
    this(TestDatabases::sqlite);
  }

  private StoreExtension(Supplier<JdbcStore> opener) {
    this.opener = opener;
  }

  public static StoreExtension sqlite() {
    return new StoreExtension(TestDatabases::sqlite);
  }

  /** PostgreSQL, a new database per test on the shared server (see {@link TestDatabases}). */
  public static StoreExtension postgres() {
    return new StoreExtension(TestDatabases::postgres);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == Store.class || type == JdbcStore.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    JdbcStore store = opener.get();
    context.getStore(NAMESPACE).put(new Object(), (AutoCloseable) store::close);
    return store;
  }
}
