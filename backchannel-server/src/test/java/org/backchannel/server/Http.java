package org.backchannel.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.backchannel.core.Json;

/**
 * A plain HTTP client for tests, talking to the server as any client would. It keeps every exchange
 * it made, so that the fixture can check each against the OpenAPI document ({@link OpenApiCheck}).
 */
final class Http {
  record Answer(int status, JsonNode json, String text, HttpResponse<String> raw) {}

  /**
   * One request and its answer, as sent and received: {@code requestType} and {@code answerType}
   * are the Content-Type headers (null when absent), {@code requestBody} is empty for none.
   */
  record Exchange(
      String method,
      String path,
      String requestType,
      String requestBody,
      int status,
      String answerType,
      String answerBody) {}

  private final HttpClient client = HttpClient.newHttpClient();
  private final URI base;
  private final ConcurrentLinkedQueue<Exchange> exchanges = new ConcurrentLinkedQueue<>();

  Http(URI base) {
    this.base = base;
  }

  /** Every exchange so far, oldest first. */
  List<Exchange> exchanges() {
    return List.copyOf(exchanges);
  }

  Answer get(String path, String token) {
    return send(builder(path, token).GET(), "");
  }

  Answer post(String path, String token, String json) {
    return send(
        builder(path, token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)),
        json);
  }

  Answer postWithHeader(String path, String token, String json, String name, String value) {
    return send(
        builder(path, token)
            .header("Content-Type", "application/json")
            .header(name, value)
            .POST(HttpRequest.BodyPublishers.ofString(json)),
        json);
  }

  Answer postForm(String path, String form) {
    return send(
        builder(path, null)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form)),
        form);
  }

  /** A form post with an Authorization header of its own (null: none), as OAuth clients send. */
  Answer postForm(String path, String form, String authorization) {
    HttpRequest.Builder b =
        builder(path, null)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return send(b, form);
  }

  Answer send(String method, String path, String token, String json) {
    return send(
        builder(path, token)
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(json)),
        json);
  }

  Answer send(String method, String path, String token) {
    return send(builder(path, token).method(method, HttpRequest.BodyPublishers.noBody()), "");
  }

  private HttpRequest.Builder builder(String path, String token) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private Answer send(HttpRequest.Builder builder, String body) {
    try {
      HttpRequest request = builder.build();
      HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
      exchanges.add(
          new Exchange(
              request.method(),
              request.uri().getRawPath(),
              request.headers().firstValue("Content-Type").orElse(null),
              body,
              r.statusCode(),
              r.headers().firstValue("Content-Type").orElse(null),
              r.body()));
      JsonNode json = null;
      if (!r.body().isEmpty()) {
        try {
          json = Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
          json = null;
        }
      }
      return new Answer(r.statusCode(), json, r.body(), r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
