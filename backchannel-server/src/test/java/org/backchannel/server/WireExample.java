package org.backchannel.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.backchannel.core.Json;
import org.backchannel.testkit.RecordingReceiver.Recorded;

/**
 * An example of what Backchannel sends, as docs/PROTOCOLS.md shows it: a fenced {@code http} block
 * after a {@code <!-- wire example: NAME -->} line, with the request line, every header the app
 * gets and the body; or a fenced {@code json} block (a token's claims). A value written as {@code
 * <words>} stands for one that differs on every call (a token, an id); everything else is exact.
 */
record WireExample(
    String name, String method, String path, Map<String, String> headers, String body) {
  private static final Pattern BLOCK =
      Pattern.compile(
          "<!-- wire example: ([a-z0-9.-]+) -->\\s*```(http|json)\\n(.*?)```", Pattern.DOTALL);
  private static final Pattern PLACEHOLDER = Pattern.compile("<[^<>\"]+>");
  // Set by the HTTP client for the transport; the contracts say nothing about them.
  private static final Set<String> TRANSPORT =
      Set.of("host", "content-length", "connection", "user-agent", "upgrade", "http2-settings");

  static Map<String, WireExample> read(Path markdown) {
    String text;
    try {
      text = Files.readString(markdown);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, WireExample> examples = new LinkedHashMap<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      String name = m.group(1);
      WireExample example =
          m.group(2).equals("json")
              ? new WireExample(name, null, null, Map.of(), m.group(3))
              : parse(name, m.group(3));
      if (examples.put(name, example) != null) {
        throw new IllegalStateException("two examples named " + name);
      }
    }
    return examples;
  }

  private static WireExample parse(String name, String block) {
    String[] parts = block.split("\\n\\n", 2);
    String[] lines = parts[0].split("\\n");
    String[] request = lines[0].split(" ");
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(lines[i].substring(0, colon).strip(), lines[i].substring(colon + 1).strip());
    }
    return new WireExample(name, request[0], request[1], headers, parts.length > 1 ? parts[1] : "");
  }

  /** What differs between this example and a request the receiver got; empty when none. */
  List<String> differences(Recorded call) {
    List<String> out = new ArrayList<>();
    if (!method.equals(call.method()) || !path.equals(call.path())) {
      out.add("request line: " + call.method() + " " + call.path());
    }
    Set<String> documented = new TreeSet<>();
    headers.forEach(
        (header, value) -> {
          documented.add(header.toLowerCase(Locale.ROOT));
          String actual = call.header(header);
          if (actual == null || !matches(value, actual)) {
            out.add("header " + header + ": " + actual);
          }
        });
    Set<String> undocumented = new TreeSet<>(call.headers().keySet());
    undocumented.removeAll(documented);
    undocumented.removeAll(TRANSPORT);
    undocumented.forEach(h -> out.add("header not in the example: " + h + ": " + call.header(h)));
    compare("body", Json.read(body), Json.read(call.bodyText()), true, out);
    return out;
  }

  /** What differs between this example (a JSON block) and a JWT's claims, in any order. */
  List<String> claimDifferences(String jwt) {
    List<String> out = new ArrayList<>();
    compare("claims", Json.read(body), Json.read(claims(jwt)), false, out);
    return out;
  }

  /** A JWT's claims, as JSON text. */
  static String claims(String jwt) {
    String payload = jwt.split("\\.")[1];
    return new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8);
  }

  /** The request as an example of this kind would show it: what to write when one is wrong. */
  static String show(Recorded call) {
    StringBuilder s = new StringBuilder(call.method() + " " + call.path() + " HTTP/1.1\n");
    call.headers()
        .forEach((h, v) -> s.append(h).append(": ").append(String.join(", ", v)).append('\n'));
    return s.append('\n').append(call.bodyText()).toString();
  }

  private static boolean matches(String documented, String actual) {
    StringBuilder regex = new StringBuilder();
    Matcher m = PLACEHOLDER.matcher(documented);
    int last = 0;
    while (m.find()) {
      regex.append(Pattern.quote(documented.substring(last, m.start()))).append("\\S+");
      last = m.end();
    }
    regex.append(Pattern.quote(documented.substring(last)));
    return actual.matches(regex.toString());
  }

  private static void compare(
      String at, JsonNode documented, JsonNode actual, boolean ordered, List<String> out) {
    if (documented.isTextual() && PLACEHOLDER.matcher(documented.asText()).matches()) {
      if (!actual.isTextual()) {
        out.add(at + ": " + actual + " is not text");
      }
      return;
    }
    if (documented.isObject() && actual.isObject()) {
      List<String> names = names(documented);
      List<String> actualNames = names(actual);
      boolean same =
          ordered
              ? names.equals(actualNames)
              : new TreeSet<>(names).equals(new TreeSet<>(actualNames));
      if (!same) {
        out.add(at + ": members " + actualNames + ", the example has " + names);
        return;
      }
      names.forEach(n -> compare(at + "." + n, documented.get(n), actual.get(n), ordered, out));
      return;
    }
    if (documented.isArray() && actual.isArray() && documented.size() == actual.size()) {
      for (int i = 0; i < documented.size(); i++) {
        compare(at + "[" + i + "]", documented.get(i), actual.get(i), ordered, out);
      }
      return;
    }
    if (documented.isNumber() && actual.isNumber()) {
      if (documented.decimalValue().compareTo(actual.decimalValue()) != 0) {
        out.add(at + ": " + actual + ", the example has " + documented);
      }
      return;
    }
    if (!documented.equals(actual)) {
      out.add(at + ": " + actual + ", the example has " + documented);
    }
  }

  private static List<String> names(JsonNode object) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> i = object.fieldNames(); i.hasNext(); ) {
      names.add(i.next());
    }
    return names;
  }
}
