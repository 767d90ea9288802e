package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.backchannel.core.Json;
import org.backchannel.server.web.Guard;

/**
 * Holds exchanges to the OpenAPI document the server serves ({@code openapi.json}): an answer's
 * status must be one the document lists for its operation, and its JSON body must fit that status's
 * schema; a JSON request body the server accepted (2xx) must fit the operation's request schema. A
 * path the document does not have is a page (left alone) or an unknown route, whose answer must be
 * a JSON error. Form-encoded request bodies are not checked: the document describes them only
 * loosely.
 *
 * <p>Every body schema in the document is a {@code $ref} to a named schema (OpenApiTest holds the
 * document to that), so each is loaded by its name and compiled once.
 */
final class OpenApiCheck {
  static final String RESOURCE = "/openapi.json";
  private static final String ERROR = "#/components/schemas/Error";
  private static final Pattern PARAM = Pattern.compile("\\{(\\w+)}");

  /** One operation of the document: its path template, as a pattern for concrete paths. */
  record Operation(String method, String path, Pattern pattern, int params, JsonNode node) {}

  private static final class Holder {
    static final OpenApiCheck INSTANCE = new OpenApiCheck();
  }

  private final JsonNode document;
  private final List<Operation> operations = new ArrayList<>();
  private final SchemaRegistry registry = SchemaRegistry.withDialect(Dialects.getOpenApi31());
  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

  private OpenApiCheck() {
    try (InputStream in = OpenApiCheck.class.getResourceAsStream(RESOURCE)) {
      document = Json.MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    document
        .path("paths")
        .properties()
        .forEach(
            path ->
                path.getValue()
                    .properties()
                    .forEach(
                        m ->
                            operations.add(
                                new Operation(
                                    m.getKey().toUpperCase(Locale.ROOT),
                                    path.getKey(),
                                    pattern(path.getKey()),
                                    (int) PARAM.matcher(path.getKey()).results().count(),
                                    m.getValue()))));
    // A literal segment wins over a parameter (tasks/active over tasks/{task}), as in the router.
    operations.sort(Comparator.comparingInt(Operation::params));
  }

  static OpenApiCheck get() {
    return Holder.INSTANCE;
  }

  JsonNode document() {
    return document;
  }

  List<Operation> operations() {
    return List.copyOf(operations);
  }

  /** The compiled schema a {@code $ref} such as {@code #/components/schemas/User} names. */
  Schema schema(String ref) {
    return schemas.computeIfAbsent(
        ref,
        r -> {
          Schema s = registry.getSchema(SchemaLocation.of("classpath:openapi.json" + r));
          s.initializeValidators();
          return s;
        });
  }

  /** Fails, naming each exchange that does not fit the document and why. */
  void assertFits(List<Http.Exchange> exchanges) {
    assertThat(violations(exchanges)).as("exchanges that do not fit openapi.json").isEmpty();
  }

  /** Every way the exchanges break the document, one line each; empty when they all fit. */
  List<String> violations(List<Http.Exchange> exchanges) {
    List<String> out = new ArrayList<>();
    for (Http.Exchange x : exchanges) {
      check(x, out);
    }
    return out;
  }

  private void check(Http.Exchange x, List<String> out) {
    List<Operation> onPath = operations.stream().filter(o -> matches(o, x.path())).toList();
    Operation op =
        onPath.stream().filter(o -> o.method().equals(x.method())).findFirst().orElse(null);
    String what = x.method() + " " + x.path() + (op == null ? "" : " (" + op.path() + ")");
    if (op == null) {
      if (onPath.isEmpty() && Guard.owns(x.path())) {
        return; // a page: not part of the document
      }
      // An unknown route, or a method the path does not have: refused, as every error is.
      if (x.status() < 400) {
        out.add(what + " -> " + x.status() + ": answered, but the document has no such route");
      } else {
        answer(what, x, ERROR, out);
      }
      return;
    }
    String status = Integer.toString(x.status());
    JsonNode response = resolve(op.node().path("responses").get(status));
    if (response == null) {
      out.add(what + " -> " + status + ": the document lists no such status for it");
      return;
    }
    what += " -> " + status;
    JsonNode content = response.get("content");
    if (content == null) {
      if (!x.answerBody().isEmpty()) {
        out.add(what + ": answered a body where the document says none");
      }
    } else {
      String type = mediaType(x.answerType());
      JsonNode media = content.get(type);
      if (media == null) {
        out.add(what + ": answered " + x.answerType() + ", the document has " + names(content));
      } else if (type.equals("application/json")) {
        answer(what, x, media.path("schema").path("$ref").asText(), out);
      }
    }
    if (x.status() >= 200 && x.status() < 300 && !x.requestBody().isEmpty()) {
      request(what, x, op, out);
    }
  }

  private void answer(String what, Http.Exchange x, String ref, List<String> out) {
    if (!"application/json".equals(mediaType(x.answerType()))) {
      out.add(what + ": answered " + x.answerType() + ", not application/json");
      return;
    }
    validate(what + ": answer", ref, x.answerBody(), out);
  }

  private void request(String what, Http.Exchange x, Operation op, List<String> out) {
    JsonNode body = op.node().get("requestBody");
    if (body == null) {
      return; // a route that reads no body ignores one (when it is well-formed)
    }
    String type = mediaType(x.requestType());
    JsonNode media = body.path("content").get(type);
    if (media == null) {
      out.add(what + ": accepted a " + x.requestType() + " body, the document has " + names(body));
    } else if (type.equals("application/json")) {
      validate(
          what + ": request", media.path("schema").path("$ref").asText(), x.requestBody(), out);
    }
  }

  private void validate(String what, String ref, String json, List<String> out) {
    try {
      for (var error : schema(ref).validate(json, InputFormat.JSON)) {
        out.add(what + " does not fit " + ref + ": " + error);
      }
    } catch (RuntimeException e) {
      out.add(what + " could not be checked against " + ref + ": " + e);
    }
  }

  /** A response object, or the shared one its {@code $ref} names. */
  private JsonNode resolve(JsonNode node) {
    if (node != null && node.has("$ref")) {
      return document.at(node.get("$ref").asText().substring(1));
    }
    return node;
  }

  private static boolean matches(Operation o, String path) {
    return o.pattern().matcher(path).matches();
  }

  private static Pattern pattern(String template) {
    StringBuilder regex = new StringBuilder();
    Matcher m = PARAM.matcher(template);
    int at = 0;
    while (m.find()) {
      regex.append(Pattern.quote(template.substring(at, m.start()))).append("[^/]+");
      at = m.end();
    }
    return Pattern.compile(regex.append(Pattern.quote(template.substring(at))).toString());
  }

  private static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
        .strip()
        .toLowerCase(Locale.ROOT);
  }

  private static List<String> names(JsonNode node) {
    JsonNode content = node.has("content") ? node.get("content") : node;
    List<String> names = new ArrayList<>();
    content.properties().forEach(e -> names.add(e.getKey()));
    return names;
  }
}
