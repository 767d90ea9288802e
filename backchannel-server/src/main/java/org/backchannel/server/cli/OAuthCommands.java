package org.backchannel.server.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.concurrent.Callable;
import org.backchannel.server.cli.ApiCommands.Connection;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** An app's settings as an OAuth 2.0 client, through the HTTP API. */
public final class OAuthCommands {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private OAuthCommands() {}

  @Command(
      name = "oauth",
      mixinStandardHelpOptions = true,
      description = {
        "Show an app's OAuth client settings, or replace them when any option is given:"
            + " options left out are unset (no redirect URI, not public, not approved).",
        "Example: apps oauth 3 --redirect-uri https://app.example.com/callback --approved"
      })
  static final class Settings implements Callable<Integer> {
    @Mixin Connection api = new Connection();

    @Parameters(paramLabel = "APP_ID")
    long id;

    @Option(
        names = "--redirect-uri",
        paramLabel = "URI",
        description =
            "An exact URI people are sent back to (repeatable): https, or http to loopback on a"
                + " server run with --dev.")
    List<String> redirectUris;

    @Option(
        names = "--public",
        description = "A public client: no secret at the token endpoint, PKCE required.")
    boolean publicClient;

    @Option(names = "--approved", description = "Approved for the workspace's app directory.")
    boolean approved;

    @Option(names = "--description", description = "Shown to people on the consent page.")
    String description;

    @Option(names = "--install-url", description = "Where the app's own install link starts.")
    String installUrl;

    @Override
    public Integer call() throws Exception {
      String path = "/api/v1/apps/" + id + "/oauth";
      if (redirectUris == null
          && !publicClient
          && !approved
          && description == null
          && installUrl == null) {
        return api.call("GET", path, null);
      }
      ObjectNode body = F.objectNode();
      var uris = body.putArray("redirect_uris");
      if (redirectUris != null) {
        redirectUris.forEach(uris::add);
      }
      body.put("public_client", publicClient).put("approved", approved);
      if (description != null) {
        body.put("description", description);
      }
      if (installUrl != null) {
        body.put("install_url", installUrl);
      }
      return api.call("PUT", path, body);
    }
  }
}
