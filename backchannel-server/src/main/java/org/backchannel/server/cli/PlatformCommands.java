package org.backchannel.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.backchannel.core.deliveries.Deliveries;
import org.backchannel.server.cli.ApiCommands.Connection;
import org.backchannel.server.cli.ApiCommands.UsageError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Endpoints, native events and apps' platform registrations, through the HTTP API. */
public final class PlatformCommands {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private PlatformCommands() {}

  /** Endpoint settings: absent options are not sent, so they stay as they are. */
  static final class EndpointSettings {
    @Option(names = "--fifo", arity = "0..1", description = "Send in order, one at a time.")
    Boolean fifo;

    @Option(names = "--max-in-flight", description = "Deliveries it gets at once (1 to 1000).")
    Integer maxInFlight;

    @Option(
        names = "--event-type",
        description = "A native event type it subscribes to (repeatable; none means all).")
    List<String> eventTypes;

    ObjectNode body() {
      ObjectNode body = F.objectNode();
      if (fifo != null) {
        body.put("fifo", fifo);
      }
      if (maxInFlight != null) {
        body.put("max_in_flight", maxInFlight);
      }
      if (eventTypes != null) {
        eventTypes.forEach(body.putArray("event_types")::add);
      }
      return body;
    }
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Add (or find) an app's endpoint for native events.")
  static final class EndpointCreate implements Callable<Integer> {
    @Mixin Connection api = new Connection();
    @Mixin EndpointSettings settings = new EndpointSettings();

    @Option(names = "--app", required = true)
    long app;

    @Option(names = "--endpoint-url", required = true, description = "Where deliveries go.")
    String endpointUrl;

    @Override
    public Integer call() throws Exception {
      return api.call(
          "POST", "/api/v1/apps/" + app + "/endpoints", settings.body().put("url", endpointUrl));
    }
  }

  @Command(
      name = "update",
      mixinStandardHelpOptions = true,
      description = "Change an endpoint's settings; those not given stay.")
  static final class EndpointUpdate implements Callable<Integer> {
    @Mixin Connection api = new Connection();
    @Mixin EndpointSettings settings = new EndpointSettings();

    @Parameters(paramLabel = "ENDPOINT_ID")
    long id;

    @Override
    public Integer call() throws Exception {
      return api.call("PATCH", "/api/v1/endpoints/" + id, settings.body());
    }
  }

  @Command(
      name = "events",
      mixinStandardHelpOptions = true,
      description = "Publish native events.",
      subcommands = Events.Publish.class)
  public static final class Events {
    @Command(
        name = "publish",
        mixinStandardHelpOptions = true,
        description =
            "Publish a native event to an app's endpoints, or many from a file of JSON lines"
                + " ({\"type\", \"data\", \"idempotency_key\"?} each).")
    static final class Publish implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Option(names = "--app", required = true)
      long app;

      @Option(names = "--type", description = "The event's type, e.g. invoice.paid.")
      String type;

      @Option(names = "--data", description = "The event's data: JSON, or @FILE.")
      String data;

      @Option(
          names = "--idempotency-key",
          description = "A second publish with the same key sends nothing new.")
      String idempotencyKey;

      @Option(names = "--file", description = "A file of JSON lines, one event each.")
      Path file;

      @Override
      public Integer call() throws Exception {
        if ((file == null) == (type == null)) {
          throw new UsageError("give either --type (with --data) or --file");
        }
        if (file == null) {
          JsonNode body =
              F.objectNode()
                  .put("type", type)
                  .set("data", data == null ? F.nullNode() : ApiCommands.json("--data", data));
          return publish(body, idempotencyKey);
        }
        List<String> lines;
        try {
          lines = Files.readAllLines(file);
        } catch (IOException e) {
          throw new UsageError("--file cannot be read: " + e.getMessage());
        }
        // Sent through the batch route, up to its limit per request; each answer is printed as it
        // comes, and any event refused makes the exit code 1.
        int worst = 0;
        ArrayNode batch = F.arrayNode();
        for (int i = 0; i < lines.size(); i++) {
          if (!lines.get(i).isBlank()) {
            batch.add(ApiCommands.json("--file line " + (i + 1), lines.get(i)));
          }
          if (batch.size() == Deliveries.MAX_BATCH || (i == lines.size() - 1 && !batch.isEmpty())) {
            Connection.Answer answer =
                api.send(
                    "POST",
                    "/api/v1/apps/" + app + "/events/batch",
                    F.objectNode().set("events", batch),
                    Map.of());
            if (answer.code() != 0) {
              return answer.code();
            }
            worst = Math.max(worst, answer.json().path("refused").asInt() > 0 ? 1 : 0);
            batch = F.arrayNode();
          }
        }
        return worst;
      }

      private int publish(JsonNode body, String key) throws InterruptedException {
        return api.call(
            "POST",
            "/api/v1/apps/" + app + "/events",
            body,
            key == null ? Map.of() : Map.of("Idempotency-Key", key));
      }
    }
  }

  @Command(
      name = "platform",
      mixinStandardHelpOptions = true,
      description = "Show or set an app's platform registration.",
      subcommands = Platform.Set.class)
  static final class Platform implements Callable<Integer> {
    @Mixin Connection api = new Connection();

    @Parameters(paramLabel = "APP_ID", arity = "0..1")
    Long id;

    @Override
    public Integer call() throws Exception {
      if (id == null) {
        throw new UsageError("give the app's id: apps platform APP_ID");
      }
      return api.call("GET", "/api/v1/apps/" + id + "/platform", null);
    }

    @Command(
        name = "set",
        mixinStandardHelpOptions = true,
        description = "Replace an app's registration: listener URL, URL patterns and controls.")
    static final class Set implements Callable<Integer> {
      @Mixin Connection api = new Connection();

      @Parameters(paramLabel = "APP_ID")
      long id;

      @Option(names = "--listener-url", description = "Where the app's events go.")
      String listenerUrl;

      @Option(names = "--url-pattern", description = "A URL the app previews (repeatable).")
      List<String> urlPatterns = List.of();

      @Option(
          names = "--controls",
          description = "The controls: a JSON array, or @FILE (see docs/API.md).")
      String controls;

      @Override
      public Integer call() throws Exception {
        ObjectNode body = F.objectNode();
        if (listenerUrl != null) {
          body.put("event_listener_url", listenerUrl);
        }
        urlPatterns.forEach(body.putArray("url_patterns")::add);
        body.set(
            "controls",
            controls == null ? F.arrayNode() : ApiCommands.json("--controls", controls));
        return api.call("PUT", "/api/v1/apps/" + id + "/platform", body);
      }
    }
  }
}
