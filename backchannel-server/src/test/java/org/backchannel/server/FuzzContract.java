package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.backchannel.core.Json;
import org.backchannel.core.workspace.Scope;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Sends malformed requests to every route the router lists (so a new route is covered without
 * anyone adding it here): JSON with something after it, nested too deep, with lone surrogates,
 * overflowing or fractional numbers and wrong types; form keys nested too deep; wrong content types
 * and odd Accept headers; bad path and query values; bodies over the limit and broken framing over
 * a raw socket. Every answer must be below 500, every error on a JSON route must be JSON, and a
 * refused request must leave every table of the store exactly as it was. Runs once per store.
 */
abstract class FuzzContract extends ServerFixture {
  /** The store's JDBC URL, so the tables can be read around the server's back. */
  String jdbcUrl;

  private static final List<String> FIELDS =
      List.of(
          "name",
          "email",
          "role",
          "avatar",
          "members",
          "client_id",
          "app_id",
          "flow_id",
          "url",
          "fifo",
          "max_in_flight",
          "event_types",
          "type",
          "data",
          "text",
          "command",
          "chat",
          "client",
          "grace_seconds",
          "event_listener_url",
          "url_patterns",
          "controls",
          "fields",
          "stages",
          "actions",
          "unique_field",
          "task_id",
          "action_id",
          "values",
          "flow_token",
          "event",
          "title",
          "content",
          "thread",
          "external_thread_id",
          "author",
          "token",
          "to",
          "attachments",
          "password",
          "csrf",
          "retention",
          "install_policy",
          "external_url",
          "redirect_uris",
          "public_client",
          "approved",
          "description",
          "install_url");

  private static final String DEEP_ARRAYS = "[".repeat(1_500) + "]".repeat(1_500);
  private static final String DEEP_OBJECTS = "{\"a\":".repeat(998) + "1" + "}".repeat(998);
  private static final String DEEP_FORM_KEY = "thread[a]" + "[a]".repeat(1_100) + "=1&name=x";

  /** One malformed request; {@code refused}: every route must answer it with a 4xx. */
  private record Case(
      String name,
      boolean refused,
      String contentType,
      byte[] body,
      String query,
      Map<String, String> headers) {}

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private Connection tables;
  private long adminId;

  /** An app's access token, for the routes only an app acting through a grant may use. */
  private String appToken;

  private Map<String, List<String>> tablesNow;
  private List<String> names;

  @TestFactory
  Stream<DynamicTest> everyRouteRefusesMalformedRequestsAndChangesNothing() throws SQLException {
    tables = DriverManager.getConnection(jdbcUrl);
    JsonNode admin = ok(http.get("/api/v1/me", adminToken));
    adminId = admin.get("id").asLong();
    appToken =
        AppTokens.issue(
                store,
                clock.instant(),
                admin.get("workspace_id").asLong(),
                appId,
                adminId,
                flowId,
                EnumSet.allOf(Scope.class))
            .token();
    tablesNow = dump();
    List<BackchannelServer.Route> routes = server.routes();
    assertThat(routes).hasSizeGreaterThan(50);
    return Stream.concat(
        routes.stream()
            .map(r -> DynamicTest.dynamicTest(r.method() + " " + r.path(), () -> fuzz(r))),
        Stream.of(DynamicTest.dynamicTest("close", this::closeTables)));
  }

  private void closeTables() throws SQLException {
    tables.close();
  }

  private void fuzz(BackchannelServer.Route route) throws Exception {
    String path = concrete(route.path(), null);
    for (Case c : cases()) {
      if (!c.refused() && c.body().length > 0 && route.method().equals("GET")) {
        continue; // a GET reads no body: only bodies every route must refuse are worth sending
      }
      String p = c.query() == null ? path : path + "?" + c.query();
      check(route, c.name(), c.refused(), () -> send(route.method(), p, c));
    }
    for (String bad : new String[] {"abc", "-1", "1.5", "99999999999999999999", "%ED%A0%80"}) {
      if (route.path().contains("{")) {
        String p = concrete(route.path(), bad);
        Case c = new Case("path " + bad, false, null, new byte[0], null, Map.of());
        check(route, c.name(), false, () -> send(route.method(), p, c));
      }
    }
    for (Map.Entry<String, String> framing : framing(route.method(), path).entrySet()) {
      check(route, framing.getKey(), true, () -> raw(framing.getValue()));
    }
  }

  /** The answer to one request, read as the checks need it. */
  private record Answer(int status, String contentType, String body) {}

  private interface Exchange {
    Answer run() throws Exception;
  }

  private void check(BackchannelServer.Route route, String name, boolean refused, Exchange send)
      throws Exception {
    Map<String, List<String>> before = tablesNow;
    Answer a = send.run();
    tablesNow = dump();
    String what =
        route.method()
            + " "
            + route.path()
            + " ["
            + name
            + "] -> "
            + a.status()
            + " "
            + clip(a.body());
    assertThat(a.status()).as(what).isBetween(200, 499);
    if (refused) {
      assertThat(a.status()).as(what).isGreaterThanOrEqualTo(400);
    }
    if (a.status() >= 400 && jsonRoute(route.path())) {
      assertThat(a.contentType()).as(what).startsWith("application/json");
      JsonNode error = Json.MAPPER.readTree(a.body());
      assertThat(error.has("message") || error.has("error")).as(what).isTrue();
    }
    if (a.status() >= 400) {
      assertThat(tablesNow).as("tables after " + what).isEqualTo(before);
    } else {
      adoptTokens(a);
    }
  }

  /** A route that acted (say, replaced the admin's token) hands out what later requests need. */
  private void adoptTokens(Answer a) {
    if (!a.contentType().startsWith("application/json")) {
      return;
    }
    JsonNode json = Json.read(a.body());
    if (json.isObject() && json.path("id").asLong() == adminId && json.has("token")) {
      adminToken = json.get("token").asText();
    }
  }

  private static boolean jsonRoute(String path) {
    return path.startsWith("/api/")
        || path.startsWith("/v1/")
        || path.equals("/messages")
        || path.equals("/healthz")
        || path.equals("/readyz")
        || path.startsWith("/oauth/token")
        || path.startsWith("/oauth/revoke")
        || path.startsWith("/.well-known/");
  }

  private List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    refused(cases, "trailing JSON", "{\"name\":\"x\",\"text\":\"x\"} x");
    refused(cases, "two documents", "{\"name\":\"x\"}{\"name\":\"y\"}");
    refused(cases, "deep arrays", DEEP_ARRAYS);
    refused(cases, "1e999 everywhere", everyField("1e999"));
    refused(cases, "lone surrogate everywhere", everyField("\"x\\ud800y\""));
    refused(cases, "lone surrogate in a name", "{\"\\udc00\":1,\"name\":\"x\"}");
    refused(cases, "not UTF-8", new byte[] {'{', '"', 'n', '"', ':', '"', (byte) 0xff, '"', '}'});
    refused(cases, "unclosed", "{\"name\":\"x\"");
    cases.add(
        new Case(
            "over-size",
            true,
            "application/json",
            ("{\"name\":\"" + "x".repeat(1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8),
            null,
            Map.of()));
    for (String accept :
        new String[] {
          "text/html", "application/xml", "*/*;q=0", "garbage/;;", "text/event-stream"
        }) {
      cases.add(
          new Case(
              "trailing JSON, Accept " + accept,
              true,
              "application/json; charset=utf-8",
              "{\"name\":\"x\"} ]".getBytes(StandardCharsets.UTF_8),
              null,
              Map.of("Accept", accept)));
    }
    // Well-formed, but wrong: a route that reads none of these fields may act on them.
    semantic(cases, "deep objects", "application/json", DEEP_OBJECTS);
    semantic(cases, "fractions", "application/json", everyField("1.5"));
    semantic(cases, "huge integers", "application/json", everyField("1" + "0".repeat(30)));
    semantic(cases, "objects", "application/json", everyField("{}"));
    semantic(cases, "arrays", "application/json", everyField("[{}, 1.5, null]"));
    semantic(cases, "booleans", "application/json", everyField("true"));
    semantic(cases, "negative", "application/json", everyField("-1"));
    semantic(cases, "long strings", "application/json", everyField('"' + "x".repeat(20_000) + '"'));
    semantic(cases, "not an object", "application/json", "[1,2]");
    semantic(cases, "deep form key", "application/x-www-form-urlencoded", DEEP_FORM_KEY);
    semantic(
        cases, "form of bad bytes", "application/x-www-form-urlencoded", "name=%ED%A0%80&text=%ZZ");
    semantic(cases, "text/plain", "text/plain", "{\"name\":");
    semantic(cases, "xml", "application/xml", "<name>x</name>");
    cases.add(
        new Case(
            "bad query values",
            false,
            null,
            new byte[0],
            "limit=1.5&before=abc&after=1e999&since=x&until=%ED%A0%80&state=%00&app_id=1e999"
                + "&endpoint_id=-0.5&flow_token=%FF",
            Map.of()));
    cases.add(
        new Case(
            "odd authorization",
            false,
            null,
            new byte[0],
            null,
            Map.of("Authorization", "Bearer " + "x".repeat(8_000), "Accept", "text/html")));
    return cases;
  }

  private static void refused(List<Case> cases, String name, String body) {
    refused(cases, name, body.getBytes(StandardCharsets.UTF_8));
  }

  private static void refused(List<Case> cases, String name, byte[] body) {
    cases.add(new Case(name, true, "application/json", body, null, Map.of()));
  }

  private static void semantic(List<Case> cases, String name, String type, String body) {
    cases.add(new Case(name, false, type, body.getBytes(StandardCharsets.UTF_8), null, Map.of()));
  }

  private static String everyField(String value) {
    StringBuilder out = new StringBuilder("{");
    for (String field : FIELDS) {
      out.append(out.length() > 1 ? "," : "").append('"').append(field).append("\":").append(value);
    }
    return out.append('}').toString();
  }

  /** Bodies whose framing is broken, each to be refused whatever the route does with a body. */
  private Map<String, String> framing(String method, String path) {
    String head =
        method
            + " "
            + path
            + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            + "Authorization: Bearer "
            + adminToken
            + "\r\nConnection: close\r\n";
    Map<String, String> out = new TreeMap<>();
    out.put("Content-Length beyond the limit", head + "Content-Length: 99999999999999\r\n\r\n{");
    out.put(
        "body shorter than Content-Length", head + "Content-Length: 100\r\n\r\n{\"name\":\"x\"}");
    out.put(
        "chunk size ZZ",
        head + "Transfer-Encoding: chunked\r\n\r\nZZ\r\n{\"name\":\"x\"}\r\n0\r\n\r\n");
    return out;
  }

  private Answer raw(String request) {
    boolean halfClose = !request.contains("99999999999999");
    RawHttp.Answer a =
        RawHttp.exchange(server.url(), request.getBytes(StandardCharsets.ISO_8859_1), halfClose);
    return new Answer(a.status(), a.contentType(), a.body());
  }

  private Answer send(String method, String path, Case c) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .timeout(Duration.ofSeconds(20))
            .method(method, HttpRequest.BodyPublishers.ofByteArray(c.body()));
    if (c.contentType() != null) {
      b.header("Content-Type", c.contentType());
    }
    if (!c.headers().containsKey("Authorization")) {
      b.header("Authorization", "Bearer " + token(path));
    }
    c.headers().forEach(b::header);
    // Over the limit: refused from the header, so the client need not send (and the server's
    // closing cannot cut off the answer while the client is still sending).
    b.expectContinue(c.body().length > 1024 * 1024);
    try {
      HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(
          r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " [" + c.name() + "]", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The token a route reads its input for: an app's on its own sources, else the admin's. */
  private String token(String path) {
    if (path.startsWith("/v1/")) {
      return "bci_nope";
    }
    return APP_ROUTES.matcher(path).lookingAt() ? appToken : adminToken;
  }

  private static final Pattern APP_ROUTES = Pattern.compile("/api/v1/flows/[^/]+/sources");
  private static final Pattern PARAM = Pattern.compile("\\{(\\w+)}");

  /** The path with each parameter filled: things the fixture made, or {@code bad} for all. */
  private String concrete(String pattern, String bad) {
    Matcher m = PARAM.matcher(pattern);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value =
          bad != null
              ? bad
              : switch (m.group(1)) {
                case "method" -> "chat.sendMessage";
                case "user" -> Long.toString(memberId);
                case "index" -> "0";
                case "app" -> Long.toString(appId);
                default -> "1";
              };
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    return m.appendTail(out).toString();
  }

  /**
   * Every row of every table, by table: as text on SQLite, as a digest of the rows' text on
   * PostgreSQL (one query rather than one per table, as the dump runs after every request).
   */
  private Map<String, List<String>> dump() throws SQLException {
    Map<String, List<String>> out = new TreeMap<>();
    if (names == null) {
      names = new ArrayList<>(); // read once: the schema does not change during the run
      try (ResultSet t =
          tables.getMetaData().getTables(null, tables.getSchema(), "%", new String[] {"TABLE"})) {
        while (t.next()) {
          names.add(t.getString("TABLE_NAME"));
        }
      }
      assertThat(names).as("tables of " + jdbcUrl).hasSizeGreaterThan(5);
    }
    try (Statement s = tables.createStatement()) {
      if (jdbcUrl.startsWith("jdbc:postgresql:")) {
        String query =
            names.stream()
                .map(
                    n ->
                        "SELECT '%s', count(*)::text || ' ' || md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM \"%s\" x"
                            .formatted(n, n))
                .collect(java.util.stream.Collectors.joining(" UNION ALL "));
        try (ResultSet r = s.executeQuery(query)) {
          while (r.next()) {
            out.put(r.getString(1), List.of(r.getString(2)));
          }
        }
        return out;
      }
      for (String name : names) {
        List<String> rows = new ArrayList<>();
        try (ResultSet r = s.executeQuery("SELECT * FROM \"" + name + "\"")) {
          int columns = r.getMetaData().getColumnCount();
          while (r.next()) {
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= columns; i++) {
              row.append(r.getString(i)).append('|');
            }
            rows.add(row.toString());
          }
        }
        rows.sort(null);
        out.put(name, rows);
      }
    }
    return out;
  }

  private static String clip(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }
}
