package org.backchannel.sdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Publishes an app's native events to Backchannel: one per request ({@code POST
 * /api/v1/apps/{id}/events}) or up to {@value #MAX_BATCH} per request ({@code POST
 * /api/v1/apps/{id}/events/batch}). Backchannel answers only once the events are stored, so an
 * event whose result is {@linkplain Result#accepted() accepted} will be delivered. Safe for
 * concurrent use; it keeps connections alive.
 */
public final class Publisher {
  /** The most events one batch request may carry. */
  public static final int MAX_BATCH = 1000;

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final HttpClient http;
  private final URI base;
  private final String authorization;
  private final Duration timeout;

  private Publisher(HttpClient http, URI base, String token, Duration timeout) {
    this.http = Objects.requireNonNull(http, "http");
    String url = Objects.requireNonNull(base, "base").toString();
    this.base = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    this.authorization = "Bearer " + Objects.requireNonNull(token, "token");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
  }

  /**
   * A publisher for Backchannel at {@code baseUrl} (e.g. {@code https://backchannel.example}),
   * authenticated with an API token allowed to publish for the app.
   */
  public static Publisher create(URI baseUrl, String token) {
    return create(
        baseUrl, token, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
  }

  /** The same, on a client of the caller's (proxy, TLS settings, executor). */
  public static Publisher create(URI baseUrl, String token, HttpClient client) {
    return new Publisher(client, baseUrl, token, Duration.ofSeconds(30));
  }

  /** The same publisher with another bound on each request. */
  public Publisher withTimeout(Duration timeout) {
    return new Publisher(http, base, authorization.substring("Bearer ".length()), timeout);
  }

  /**
   * One event to publish: its type ({@code order.created}), its data (anything Jackson writes as
   * JSON: a {@link JsonNode}, a {@code Map}, a record) and an optional idempotency key (the same
   * key again sends nothing new and answers the first publish's deliveries).
   */
  public record NewEvent(String type, Object data, String idempotencyKey) {
    public NewEvent {
      Objects.requireNonNull(type, "type");
    }

    public static NewEvent of(String type, Object data) {
      return new NewEvent(type, data, null);
    }

    ObjectNode json() {
      ObjectNode node = F.objectNode().put("type", type);
      node.set("data", Json.MAPPER.valueToTree(data));
      if (idempotencyKey != null) {
        node.put("idempotency_key", idempotencyKey);
      }
      return node;
    }
  }

  /**
   * What became of one event: {@code status} 202 with the deliveries it made (one per subscribed
   * endpoint; none when no endpoint subscribes), or a 4xx with the reasons by field.
   */
  public record Result(int status, List<Long> deliveryIds, Map<String, List<String>> errors) {
    public Result {
      deliveryIds = List.copyOf(deliveryIds);
      errors = Collections.unmodifiableMap(new LinkedHashMap<>(errors));
    }

    public boolean accepted() {
      return status == 202;
    }
  }

  /** Refused as a whole: bad token, unknown app, malformed request; nothing was stored. */
  public static final class RefusedException extends IOException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String body;

    RefusedException(int status, String body) {
      super("Backchannel answered HTTP " + status + ": " + body);
      this.status = status;
      this.body = body;
    }

    public int status() {
      return status;
    }

    /** The answer's body, a JSON object with a {@code message}. */
    public String body() {
      return body;
    }
  }

  /**
   * Publishes one event. An invalid event comes back as a {@link Result} with its errors (HTTP
   * 400), so single and batch publishing read alike.
   */
  public Result publish(long appId, NewEvent event) throws IOException, InterruptedException {
    ObjectNode body = F.objectNode().put("type", event.type());
    body.set("data", Json.MAPPER.valueToTree(event.data()));
    HttpRequest.Builder request = request("/api/v1/apps/" + appId + "/events", body);
    if (event.idempotencyKey() != null) {
      request.header("Idempotency-Key", event.idempotencyKey());
    }
    HttpResponse<byte[]> answer =
        http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    ObjectNode json = answerJson(answer, true);
    if (answer.statusCode() == 400) {
      return new Result(400, List.of(), errors(json.get("errors")));
    }
    List<Long> ids = new ArrayList<>();
    for (JsonNode d : json.path("deliveries")) {
      ids.add(d.path("id").asLong());
    }
    return new Result(202, ids, Map.of());
  }

  /**
   * Publishes many events, {@value #MAX_BATCH} to a request, and answers one result per event in
   * the same order. Each request stores its valid events together; an invalid event is refused
   * alone. A request refused as a whole throws, and the events of earlier requests stay published.
   */
  public List<Result> publishBatch(long appId, List<NewEvent> events)
      throws IOException, InterruptedException {
    List<Result> results = new ArrayList<>(events.size());
    for (int from = 0; from < events.size(); from += MAX_BATCH) {
      ArrayNode batch = F.arrayNode();
      for (NewEvent e : events.subList(from, Math.min(events.size(), from + MAX_BATCH))) {
        batch.add(e.json());
      }
      ObjectNode body = F.objectNode();
      body.set("events", batch);
      HttpResponse<byte[]> answer =
          http.send(
              request("/api/v1/apps/" + appId + "/events/batch", body).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      for (JsonNode r : answerJson(answer, false).path("results")) {
        List<Long> ids = new ArrayList<>();
        for (JsonNode id : r.path("delivery_ids")) {
          ids.add(id.asLong());
        }
        results.add(new Result(r.path("status").asInt(), ids, errors(r.get("errors"))));
      }
    }
    return results;
  }

  private HttpRequest.Builder request(String path, ObjectNode body) {
    return HttpRequest.newBuilder(URI.create(base + path))
        .timeout(timeout)
        .header("Authorization", authorization)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)));
  }

  private static ObjectNode answerJson(HttpResponse<byte[]> answer, boolean invalidIsResult)
      throws RefusedException {
    int status = answer.statusCode();
    String text = new String(answer.body(), StandardCharsets.UTF_8);
    boolean ok = status / 100 == 2 || (invalidIsResult && status == 400);
    if (ok) {
      try {
        return Json.object(answer.body(), "the answer");
      } catch (VerificationException e) {
        // fall through: an answer we cannot read is reported with its body
      }
    }
    throw new RefusedException(status, text.length() > 500 ? text.substring(0, 500) : text);
  }

  private static Map<String, List<String>> errors(JsonNode node) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    if (node != null) {
      node.fields()
          .forEachRemaining(
              f -> {
                List<String> reasons = new ArrayList<>();
                f.getValue().forEach(r -> reasons.add(r.asText()));
                out.put(f.getKey(), reasons);
              });
    }
    return out;
  }
}
