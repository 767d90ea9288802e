package org.backchannel.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.backchannel.core.Json;

/** A plain HTTP client for tests, talking to the server as any client would. */
final class Http {
  record Answer(int status, JsonNode json, String text, HttpResponse<String> raw) {}

  private final HttpClient client = HttpClient.newHttpClient();
  private final URI base;

  Http(URI base) {
    this.base = base;
  }

  Answer get(String path, String token) {
    return send(builder(path, token).GET(), token);
  }

  Answer post(String path, String token, String json) {
    return send(
        builder(path, token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)),
        token);
  }

  Answer postWithHeader(String path, String token, String json, String name, String value) {
    return send(
        builder(path, token)
            .header("Content-Type", "application/json")
            .header(name, value)
            .POST(HttpRequest.BodyPublishers.ofString(json)),
        token);
  }

  Answer postForm(String path, String form) {
    return send(
        builder(path, null)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form)),
        null);
  }

  Answer send(String method, String path, String token, String json) {
    return send(
        builder(path, token)
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(json)),
        token);
  }

  Answer send(String method, String path, String token) {
    return send(builder(path, token).method(method, HttpRequest.BodyPublishers.noBody()), token);
  }

  private HttpRequest.Builder builder(String path, String token) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private Answer send(HttpRequest.Builder builder, String token) {
    try {
      HttpResponse<String> r = client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
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
