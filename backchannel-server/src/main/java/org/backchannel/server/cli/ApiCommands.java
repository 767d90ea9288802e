package org.backchannel.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.backchannel.core.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Commands that act through the HTTP API with a personal token, as any client would. */
public final class ApiCommands {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private ApiCommands() {}

  /** The server, the caller's token and how answers are printed. */
  static final class Connection {
    @Option(
        names = "--url",
        defaultValue = "${env:BACKCHANNEL_URL:-http://127.0.0.1:8080}",
        description = "Backchannel's URL (env BACKCHANNEL_URL; default ${DEFAULT-VALUE}).")
    String url;

    @Option(
        names = "--token",
        defaultValue = "${env:BACKCHANNEL_TOKEN}",
        description = "Your API token (env BACKCHANNEL_TOKEN).")
    String token;

    @Option(
        names = {"-o", "--output"},
        defaultValue = "json",
        description = "json (default) or table.")
    Output output;

    int call(String method, String path, JsonNode body) throws InterruptedException {
      return call(method, path, body, Map.of());
    }

    /**
     * Sends a request and prints the answer. Exit codes: 0 for 2xx, 1 for a client error (4xx, or a
     * request that cannot be made), 2 when the server failed (5xx) or cannot be reached.
     */
    int call(String method, String path, JsonNode body, Map<String, String> headers)
        throws InterruptedException {
      return send(method, path, body, headers).code();
    }

    /** What a request printed came to: its exit code and its answer, if that was JSON. */
    record Answer(int code, JsonNode json) {}

    /** As {@link #call}, keeping the answer for a command that reads it. */
    Answer send(String method, String path, JsonNode body, Map<String, String> headers)
        throws InterruptedException {
      if (token == null || token.isBlank()) {
        System.err.println("backchannel: --token or BACKCHANNEL_TOKEN is required");
        return new Answer(1, null);
      }
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + path))
              .timeout(Duration.ofSeconds(30))
              .header("Authorization", "Bearer " + token)
              .header("Accept", "application/json");
      headers.forEach(request::header);
      if (body == null) {
        request.method(method, HttpRequest.BodyPublishers.noBody());
      } else {
        request
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)));
      }
      HttpResponse<String> response;
      try (HttpClient client = HttpClient.newHttpClient()) {
        response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        System.err.println("backchannel: cannot reach " + url + ": " + e);
        return new Answer(2, null);
      }
      int status = response.statusCode();
      boolean ok = status / 100 == 2;
      String text = response.body();
      JsonNode json = null;
      if (!text.isEmpty()) {
        try {
          json = Json.MAPPER.readTree(text);
          text = output.render(json);
        } catch (IOException e) {
          // not JSON: print as it came
        }
      }
      (ok ? System.out : System.err).println(text.isEmpty() ? "HTTP " + status : text);
      return new Answer(ok ? 0 : status / 100 == 4 ? 1 : 2, json);
    }
  }

  /** A request that cannot be made as given: a client error, exit code 1. */
  public static final class UsageError extends RuntimeException {
    UsageError(String message) {
      super(message);
    }
  }

  /** Reads JSON given on the command line, or from a file as {@code @FILE}. */
  static JsonNode json(String option, String value) {
    String text = value;
    try {
      if (value.startsWith("@")) {
        text = Files.readString(Path.of(value.substring(1)));
      }
      return Json.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new UsageError(option + " is not JSON (or its file cannot be read): " + e.getMessage());
    }
  }

  static String query(String... pairs) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < pairs.length; i += 2) {
      if (pairs[i + 1] != null) {
        sb.append(sb.isEmpty() ? "?" : "&")
            .append(URLEncoder.encode(pairs[i], StandardCharsets.UTF_8))
            .append('=')
            .append(URLEncoder.encode(pairs[i + 1], StandardCharsets.UTF_8));
      }
    }
    return sb.toString();
  }

  @Command(
      name = "users",
      mixinStandardHelpOptions = true,
      description = "List people, add one, or deactivate and reactivate someone.",
      subcommands = {Users.Create.class, Users.Deactivate.class, Users.Reactivate.class})
  public static final class Users implements Callable<Integer> {
    @Mixin Connection api = new Connection();

    @Override
    public Integer call() throws Exception {
      return api.call("GET", "/api/v1/users", null);
    }

    @Command(
        name = "create",
        mixinStandardHelpOptions = true,
        description = "Add a person; prints their API token once.")
    static final class Create implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Option(names = "--name", required = true)
      String name;

      @Option(names = "--email", required = true)
      String email;

      @Option(names = "--avatar")
      String avatar;

      @Option(names = "--admin", description = "Make them a workspace admin.")
      boolean admin;

      @Override
      public Integer call() throws Exception {
        ObjectNode body =
            F.objectNode()
                .put("name", name)
                .put("email", email)
                .put("role", admin ? "admin" : "member");
        if (avatar != null) {
          body.put("avatar", avatar);
        }
        return api.call("POST", "/api/v1/users", body);
      }
    }

    @Command(
        name = "deactivate",
        mixinStandardHelpOptions = true,
        description = "Take away someone's access at once; what they did stays.")
    static final class Deactivate implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Option(names = "--user", required = true)
      long user;

      @Override
      public Integer call() throws Exception {
        return api.call("POST", "/api/v1/users/" + user + "/deactivate", null);
      }
    }

    @Command(
        name = "reactivate",
        mixinStandardHelpOptions = true,
        description = "Let a deactivated person back in; prints their new API token once.")
    static final class Reactivate implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Option(names = "--user", required = true)
      long user;

      @Override
      public Integer call() throws Exception {
        return api.call("POST", "/api/v1/users/" + user + "/reactivate", null);
      }
    }
  }

  @Command(
      name = "flows",
      mixinStandardHelpOptions = true,
      description = "List flows, create one, or add a member.",
      subcommands = {Flows.Create.class, Flows.AddMember.class})
  public static final class Flows implements Callable<Integer> {
    @Mixin Connection api = new Connection();

    @Override
    public Integer call() throws Exception {
      return api.call("GET", "/api/v1/flows", null);
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a flow.")
    static final class Create implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Option(names = "--name", required = true)
      String name;

      @Option(names = "--member", description = "A user id to add (repeatable).")
      List<Long> members = List.of();

      @Override
      public Integer call() throws Exception {
        ObjectNode body = F.objectNode().put("name", name);
        members.forEach(body.putArray("members")::add);
        return api.call("POST", "/api/v1/flows", body);
      }
    }

    @Command(
        name = "add-member",
        mixinStandardHelpOptions = true,
        description = "Add a person to a flow.")
    static final class AddMember implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Option(names = "--flow", required = true)
      long flow;

      @Option(names = "--user", required = true)
      long user;

      @Override
      public Integer call() throws Exception {
        return api.call("PUT", "/api/v1/flows/" + flow + "/members/" + user, null);
      }
    }
  }

  @Command(
      name = "apps",
      mixinStandardHelpOptions = true,
      description =
          "List apps, register one, show one, rotate and activate its secret, set its platform"
              + " registration or its OAuth client settings.",
      subcommands = {
        Apps.Create.class,
        Apps.Show.class,
        Apps.RotateSecret.class,
        Apps.ActivateSecret.class,
        PlatformCommands.Platform.class,
        OAuthCommands.Settings.class
      })
  public static final class Apps implements Callable<Integer> {
    @Mixin Connection api = new Connection();

    @Override
    public Integer call() throws Exception {
      return api.call("GET", "/api/v1/apps", null);
    }

    @Command(
        name = "register",
        aliases = "create",
        mixinStandardHelpOptions = true,
        description = "Register an app; prints its secret once.")
    static final class Create implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Option(names = "--name", required = true)
      String name;

      @Option(names = "--client-id", description = "The OAuth client id (default: generated).")
      String clientId;

      @Override
      public Integer call() throws Exception {
        ObjectNode body = F.objectNode().put("name", name);
        if (clientId != null) {
          body.put("client_id", clientId);
        }
        return api.call("POST", "/api/v1/apps", body);
      }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show an app.")
    static final class Show implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Parameters(paramLabel = "APP_ID")
      long id;

      @Override
      public Integer call() throws Exception {
        return api.call("GET", "/api/v1/apps/" + id, null);
      }
    }

    @Command(
        name = "rotate-secret",
        mixinStandardHelpOptions = true,
        description =
            "Issue a new secret for an app (printed once) and keep it pending: it adds a second"
                + " Standard Webhooks signature, while tokens are still signed with the current"
                + " secret until activate-secret.")
    static final class RotateSecret implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Parameters(paramLabel = "APP_ID")
      long id;

      @Override
      public Integer call() throws Exception {
        return api.call("POST", "/api/v1/apps/" + id + "/secret", F.objectNode());
      }
    }

    @Command(
        name = "activate-secret",
        mixinStandardHelpOptions = true,
        description =
            "Make an app's pending secret its current one: everything is signed with it from now"
                + " on, and the old one stops.")
    static final class ActivateSecret implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Parameters(paramLabel = "APP_ID")
      long id;

      @Option(
          names = "--grace-seconds",
          description =
              "How long the old secret still signs Standard Webhooks headers beside the new one"
                  + " (0 to 604800; default 0). Tokens use the new one at once.")
      Long grace;

      @Override
      public Integer call() throws Exception {
        ObjectNode body = F.objectNode();
        if (grace != null) {
          body.put("grace_seconds", grace);
        }
        return api.call("POST", "/api/v1/apps/" + id + "/secret/activate", body);
      }
    }
  }

  @Command(
      name = "sources",
      mixinStandardHelpOptions = true,
      description = "List sources, install an app into a flow, or revoke a source.",
      subcommands = {Sources.Create.class, Sources.Revoke.class})
  public static final class Sources implements Callable<Integer> {
    @Mixin Connection api = new Connection();

    @Override
    public Integer call() throws Exception {
      return api.call("GET", "/api/v1/sources", null);
    }

    @Command(
        name = "create",
        mixinStandardHelpOptions = true,
        description = "Install an app into a flow; prints the flow token once.")
    static final class Create implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Option(names = "--app", required = true)
      long app;

      @Option(names = "--flow", required = true)
      long flow;

      @Option(names = "--name")
      String name;

      @Override
      public Integer call() throws Exception {
        ObjectNode body = F.objectNode().put("app_id", app).put("flow_id", flow);
        if (name != null) {
          body.put("name", name);
        }
        return api.call("POST", "/api/v1/sources", body);
      }
    }

    @Command(
        name = "revoke",
        mixinStandardHelpOptions = true,
        description = "Revoke a source's flow token.")
    static final class Revoke implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Parameters(paramLabel = "SOURCE_ID")
      long id;

      @Override
      public Integer call() throws Exception {
        return api.call("DELETE", "/api/v1/sources/" + id, null);
      }
    }
  }

  @Command(
      name = "deliveries",
      mixinStandardHelpOptions = true,
      description = "List deliveries, or show one with its attempts.",
      subcommands = {Deliveries.Show.class, Deliveries.Replay.class})
  public static final class Deliveries implements Callable<Integer> {
    @Mixin Connection api = new Connection();

    @Option(names = "--app", description = "Only this app's.")
    Long app;

    @Option(names = "--state", description = "pending, sending, succeeded or failed.")
    String state;

    @Option(names = "--since", description = "An ISO-8601 instant.")
    String since;

    @Option(names = "--limit")
    Integer limit;

    @Override
    public Integer call() throws Exception {
      return api.call(
          "GET",
          "/api/v1/deliveries"
              + query(
                  "app_id",
                  app == null ? null : app.toString(),
                  "state",
                  state,
                  "since",
                  since,
                  "limit",
                  limit == null ? null : limit.toString()),
          null);
    }

    @Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = "Send a finished delivery again.")
    static final class Replay implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Parameters(paramLabel = "DELIVERY_ID")
      long id;

      @Override
      public Integer call() throws Exception {
        return api.call("POST", "/api/v1/deliveries/" + id + "/replay", null);
      }
    }

    @Command(
        name = "show",
        mixinStandardHelpOptions = true,
        description = "Show a delivery and its attempts.")
    static final class Show implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Parameters(paramLabel = "DELIVERY_ID")
      long id;

      @Override
      public Integer call() throws Exception {
        return api.call("GET", "/api/v1/deliveries/" + id, null);
      }
    }
  }

  @Command(
      name = "endpoints",
      mixinStandardHelpOptions = true,
      description =
          "List endpoints, add or change one, enable one, or replay its failed deliveries.",
      subcommands = {
        PlatformCommands.EndpointCreate.class,
        PlatformCommands.EndpointUpdate.class,
        Endpoints.Enable.class,
        Endpoints.Replay.class
      })
  public static final class Endpoints implements Callable<Integer> {
    @Mixin Connection api = new Connection();

    @Override
    public Integer call() throws Exception {
      return api.call("GET", "/api/v1/endpoints", null);
    }

    @Command(
        name = "enable",
        mixinStandardHelpOptions = true,
        description = "Call a disabled endpoint again.")
    static final class Enable implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Parameters(paramLabel = "ENDPOINT_ID")
      long id;

      @Override
      public Integer call() throws Exception {
        return api.call("POST", "/api/v1/endpoints/" + id + "/enable", null);
      }
    }

    @Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = "Send again every failed delivery of an endpoint.")
    static final class Replay implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Parameters(paramLabel = "ENDPOINT_ID")
      long id;

      @Option(
          names = "--since",
          description = "Only deliveries created since this ISO-8601 instant.")
      String since;

      @Override
      public Integer call() throws Exception {
        return api.call(
            "POST", "/api/v1/endpoints/" + id + "/replay" + query("since", since), null);
      }
    }
  }

  @Command(
      name = "api",
      mixinStandardHelpOptions = true,
      description = "Call any API route, e.g. api GET /api/v1/me.")
  public static final class Raw implements Callable<Integer> {
    @Mixin Connection api = new Connection();

    @Parameters(index = "0", paramLabel = "METHOD")
    String method;

    @Parameters(index = "1", paramLabel = "PATH")
    String path;

    @Option(names = "--data", description = "A JSON body, or @FILE to read it from a file.")
    String data;

    @Option(
        names = {"-H", "--header"},
        description = "A request header, 'Name: value' (repeatable).")
    List<String> headers = List.of();

    @Override
    public Integer call() throws Exception {
      Map<String, String> h = new java.util.LinkedHashMap<>();
      for (String header : headers) {
        int colon = header.indexOf(':');
        if (colon < 1) {
          throw new UsageError("-H takes 'Name: value', not '" + header + "'");
        }
        h.put(header.substring(0, colon).strip(), header.substring(colon + 1).strip());
      }
      return api.call(
          method.toUpperCase(java.util.Locale.ROOT),
          path,
          data == null ? null : json("--data", data),
          h);
    }
  }
}
