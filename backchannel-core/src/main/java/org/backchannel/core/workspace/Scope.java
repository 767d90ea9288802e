package org.backchannel.core.workspace;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an app may do for the person who authorised it. A personal API token may do everything its
 * person may; an app's token only what its scopes name, and never more than its person may.
 */
public enum Scope {
  FLOW_POST("flow:post", true, "Post to the flow you pick, through a source it creates there"),
  FLOW_READ("flow:read", true, "Read the threads and messages of the flow you pick"),
  USER_READ("user:read", false, "See your name, email address and picture"),
  CHAT_WRITE("chat:write", false, "Send messages and act in chats as you"),
  WORKFLOWS_TASKS(
      "workflows:tasks", false, "Read and update workflow tasks, and run their actions");

  private final String wire;
  private final boolean flowScoped;
  private final String words;

  Scope(String wire, boolean flowScoped, String words) {
    this.wire = wire;
    this.flowScoped = flowScoped;
    this.words = words;
  }

  /** The scope's name on the wire, e.g. {@code flow:post}. */
  public String wire() {
    return wire;
  }

  /** Whether a grant of this scope reaches one flow, which the person picks. */
  public boolean flowScoped() {
    return flowScoped;
  }

  /** What the scope lets an app do, in words for the consent page. */
  public String words() {
    return words;
  }

  public static Optional<Scope> of(String wire) {
    for (Scope s : values()) {
      if (s.wire.equals(wire)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /**
   * The scopes of a space-separated list (RFC 6749 §3.3).
   *
   * @throws IllegalArgumentException naming the first unknown scope
   */
  public static Set<Scope> parse(String list) {
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    if (list == null) {
      return scopes;
    }
    for (String part : list.strip().split(" +")) {
      if (!part.isEmpty()) {
        scopes.add(
            of(part.toLowerCase(Locale.ROOT))
                .orElseThrow(() -> new IllegalArgumentException("unknown scope: " + part)));
      }
    }
    return scopes;
  }

  /** The space-separated list of {@code scopes}, in declaration order. */
  public static String format(Set<Scope> scopes) {
    return scopes.stream().sorted().map(Scope::wire).collect(Collectors.joining(" "));
  }
}
