package org.backchannel.server.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import org.backchannel.server.cli.ApiCommands.Connection;
import org.backchannel.server.cli.ApiCommands.UsageError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** People's grants to apps and the workspace's settings, through the HTTP API. */
public final class GrantCommands {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private GrantCommands() {}

  @Command(
      name = "grants",
      mixinStandardHelpOptions = true,
      description = "The apps people authorised: list them, revoke one, or read the record.",
      subcommands = {Grants.Listing.class, Grants.Revoke.class, Grants.Events.class})
  public static final class Grants {
    @Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description =
            "Every grant of the workspace (admin), or with --mine the apps you authorised.")
    static final class Listing implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Option(names = "--mine", description = "Only your own live grants (anyone).")
      boolean mine;

      @Option(names = "--revoked", description = "Revoked grants too (admin).")
      boolean revoked;

      @Override
      public Integer call() throws Exception {
        if (mine && revoked) {
          throw new UsageError("--mine lists live grants only: leave out --revoked");
        }
        return api.call(
            "GET",
            mine ? "/api/v1/me/grants" : "/api/v1/grants" + (revoked ? "?revoked=true" : ""),
            null);
      }
    }

    @Command(
        name = "revoke",
        mixinStandardHelpOptions = true,
        description =
            "Revoke a grant (admin), or with --mine one of your own: its tokens and sources stop"
                + " at once.")
    static final class Revoke implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Parameters(paramLabel = "GRANT_ID")
      long id;

      @Option(names = "--mine", description = "One of your own grants (anyone).")
      boolean mine;

      @Override
      public Integer call() throws Exception {
        return api.call("DELETE", (mine ? "/api/v1/me/grants/" : "/api/v1/grants/") + id, null);
      }
    }

    @Command(
        name = "events",
        mixinStandardHelpOptions = true,
        description = "The record of grants and revocations, newest first (admin).")
    static final class Events implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Option(names = "--limit", description = "1 to 500 (default 100).")
      Integer limit;

      @Override
      public Integer call() throws Exception {
        return api.call(
            "GET",
            "/api/v1/grants/events"
                + ApiCommands.query("limit", limit == null ? null : limit.toString()),
            null);
      }
    }
  }

  @Command(
      name = "workspace",
      mixinStandardHelpOptions = true,
      description = "Show the workspace's settings, or change them (set).",
      subcommands = {Workspace.Change.class})
  public static final class Workspace implements Callable<Integer> {
    @Mixin Connection api = new Connection();

    @Override
    public Integer call() throws Exception {
      return api.call("GET", "/api/v1/workspace", null);
    }

    @Command(
        name = "set",
        mixinStandardHelpOptions = true,
        description = "Change the workspace's settings (admin); options left out stay as they are.")
    static final class Change implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Option(
          names = "--install-policy",
          description = "Which apps people may add by themselves: any, approved or none.")
      String installPolicy;

      @Option(
          names = "--retention",
          description = "How long finished deliveries are kept (7d, 90d…), or default.")
      String retention;

      @Override
      public Integer call() throws Exception {
        if (installPolicy == null && retention == null) {
          throw new UsageError("give --install-policy or --retention (or both)");
        }
        ObjectNode body = F.objectNode();
        if (installPolicy != null) {
          body.put("install_policy", installPolicy);
        }
        if (retention != null) {
          body.put("retention", retention);
        }
        return api.call("PATCH", "/api/v1/workspace", body);
      }
    }
  }
}
