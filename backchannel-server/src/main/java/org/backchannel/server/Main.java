package org.backchannel.server;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.backchannel.core.Created;
import org.backchannel.core.Problem;
import org.backchannel.core.accounts.WebAccounts;
import org.backchannel.core.store.Store;
import org.backchannel.core.workspace.Directory;
import org.backchannel.core.workspace.User;
import org.backchannel.server.cli.ApiCommands;
import org.backchannel.server.cli.GrantCommands;
import org.backchannel.server.cli.PlatformCommands;
import org.backchannel.server.cli.WorkflowCommands;
import org.backchannel.server.version.Version;
import org.backchannel.store.JdbcStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code backchannel} command line. */
@Command(
    name = "backchannel",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionText.class,
    description = "Signed, recorded callbacks from a collaboration product to its apps.",
    subcommands = {
      Main.Serve.class,
      Main.Migrate.class,
      Main.Init.class,
      Main.Admin.class,
      BackupCommands.Backup.class,
      BackupCommands.Restore.class,
      ApiCommands.Users.class,
      ApiCommands.Flows.class,
      ApiCommands.Apps.class,
      ApiCommands.Sources.class,
      ApiCommands.Deliveries.class,
      ApiCommands.Endpoints.class,
      GrantCommands.Grants.class,
      GrantCommands.Workspace.class,
      PlatformCommands.Events.class,
      WorkflowCommands.Workflows.class,
      WorkflowCommands.Tasks.class,
      WorkflowCommands.Executions.class,
      ApiCommands.Raw.class
    })
public final class Main implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(Main.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExpandAtFiles(false); // --data @FILE is ours to read, not an argument file
    cl.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          line.getErr().println("backchannel: " + e.getMessage());
          if (e instanceof ApiCommands.UsageError) {
            return 1; // the request cannot be made as given: a client error
          }
          return e instanceof IllegalArgumentException || e instanceof Problem ? 2 : 1;
        });
    return cl;
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Prints the version and the commit this build was made from. */
  static final class VersionText implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {Version.current().text()};
    }
  }

  /** Where the store is and how to open it: shared by the commands that use it directly. */
  static final class StoreOptions {
    @Option(names = "--config", description = "A properties file of settings.")
    Path configFile;

    @Option(
        names = "--data-dir",
        description = "Where the embedded store keeps its files (default: data).")
    String dataDir;

    @Option(
        names = "--db",
        description = "A JDBC URL: jdbc:sqlite:FILE or jdbc:postgresql://HOST/DB.")
    String db;

    Config config(Map<String, String> flags) {
      Map<String, String> values = Config.layered(configFile, System.getenv());
      if (dataDir != null) {
        values.put("data_dir", dataDir);
      }
      if (db != null) {
        values.put("db_url", db);
      }
      values.putAll(flags);
      return Config.from(values);
    }
  }

  @Command(name = "serve", mixinStandardHelpOptions = true, description = "Run Backchannel.")
  static final class Serve implements Callable<Integer> {
    @Mixin StoreOptions store = new StoreOptions();

    @Option(names = "--host", description = "The address to listen on (default: 127.0.0.1).")
    String host;

    @Option(names = "--port", description = "The port to listen on (default: 8080; 0 picks one).")
    Integer port;

    @Option(
        names = "--dev",
        description =
            "Development mode: apps on loopback may be called, and may register http redirect"
                + " URIs to loopback for OAuth.")
    boolean dev;

    @Option(
        names = "--allow",
        split = ",",
        description = "CIDR ranges apps may be called on beyond public addresses.")
    java.util.List<String> allow;

    @Override
    public Integer call() throws InterruptedException {
      Map<String, String> flags = new java.util.HashMap<>();
      if (host != null) {
        flags.put("host", host);
      }
      if (port != null) {
        flags.put("port", port.toString());
      }
      if (dev) {
        flags.put("dev", "true");
      }
      if (allow != null) {
        flags.put("allow", String.join(",", allow));
      }
      Config config = store.config(flags);
      BackchannelServer server = BackchannelServer.start(config, Clock.systemUTC());
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    LOG.info("stopping");
                    server.close();
                    stopped.countDown();
                  },
                  "backchannel-shutdown"));
      String where =
          config.embedded() ? config.dbUrl().substring("jdbc:sqlite:".length()) : "PostgreSQL";
      System.out.printf(
          "Backchannel listening on http://%s:%d (store: %s %s)%n",
          config.host(), server.port(), server.store().kind(), where);
      if (config.publicUrl() != null) {
        System.out.printf("links point at %s%n", config.publicUrl());
      }
      System.out.flush();
      stopped.await();
      return 0;
    }
  }

  @Command(
      name = "migrate",
      mixinStandardHelpOptions = true,
      description = "Create or upgrade the store's schema, then exit.")
  static final class Migrate implements Callable<Integer> {
    @Mixin StoreOptions store = new StoreOptions();

    @Option(
        names = "--vacuum",
        description =
            "SQLite: rewrite the file once so that the purge of expired deliveries can shrink it"
                + " (stop the server first; needs as much free disk again while it runs).")
    boolean vacuum;

    @Override
    public Integer call() {
      Config config = store.config(Map.of());
      try (Store s = BackchannelServer.openStore(config)) {
        System.out.println("store " + s.kind() + " is migrated");
        if (vacuum && s instanceof JdbcStore jdbc) {
          if (!jdbc.vacuum()) {
            throw new IllegalStateException("the SQLite file could not be rewritten (see the log)");
          }
          System.out.println("store " + s.kind() + " gives free space back");
        }
      }
      return 0;
    }
  }

  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description = "Create a workspace and its first admin, and print the admin's API token once.")
  static final class Init implements Callable<Integer> {
    @Mixin StoreOptions store = new StoreOptions();

    @Option(names = "--workspace", required = true, description = "The workspace's name.")
    String workspace;

    @Option(names = "--name", required = true, description = "The admin's name.")
    String name;

    @Option(names = "--email", required = true, description = "The admin's email.")
    String email;

    @Override
    public Integer call() {
      Config config = store.config(Map.of());
      try (Store s = BackchannelServer.openStore(config)) {
        Created<User> admin = new Directory(s, Clock.systemUTC()).bootstrap(workspace, name, email);
        System.out.printf(
            "workspace %d created; admin %s (user %d)%nAPI token (shown once): %s%n",
            admin.value().workspaceId(), admin.value().email(), admin.value().id(), admin.secret());
        String link =
            new WebAccounts(s, Clock.systemUTC())
                .newSetupLink(admin.value().workspaceId(), admin.value().email());
        System.out.printf(
            "choose a password for the web UI (once, within 24 h): %s/setup/%s%n",
            baseUrl(config), link);
      }
      return 0;
    }
  }

  @Command(
      name = "admin",
      mixinStandardHelpOptions = true,
      description = "Administer people directly on the store.",
      subcommands = {SetPasswordLink.class})
  static final class Admin {}

  @Command(
      name = "set-password-link",
      mixinStandardHelpOptions = true,
      description = "Print a one-time link (valid 24 h) where a person chooses a web password.")
  static final class SetPasswordLink implements Callable<Integer> {
    @Mixin StoreOptions store = new StoreOptions();

    @Option(names = "--email", required = true, description = "The person's email.")
    String email;

    @Option(
        names = "--workspace-id",
        defaultValue = "1",
        description = "The workspace the person is in (default ${DEFAULT-VALUE}).")
    long workspaceId;

    @Override
    public Integer call() {
      Config config = store.config(Map.of());
      try (Store s = BackchannelServer.openStore(config)) {
        String link = new WebAccounts(s, Clock.systemUTC()).newSetupLink(workspaceId, email);
        System.out.printf("%s/setup/%s%n", baseUrl(config), link);
      }
      return 0;
    }
  }

  static String baseUrl(Config config) {
    return config.baseUrl(config.port());
  }
}
