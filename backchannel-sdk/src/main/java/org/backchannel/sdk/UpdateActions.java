package org.backchannel.sdk;

import java.time.Instant;
import java.util.List;
import org.backchannel.sdk.VerificationException.Check;

/**
 * Verifies UpdateAction calls (the Flowdock contract): the FLOWDOCK-TOKEN header, then the body.
 */
public final class UpdateActions {
  private UpdateActions() {}

  /**
   * A verified UpdateAction call.
   *
   * @param userId the acting person's id, the token's {@code sub}
   * @param action the action that was selected
   */
  public record Verified(String userId, UpdateAction action) {}

  /** As {@link #verify(List, String, byte[], Instant)} with one secret. */
  public static Verified verify(AppSecret secret, String flowdockToken, byte[] body, Instant now) {
    return verify(List.of(secret), flowdockToken, body, now);
  }

  /**
   * Verifies the {@value FlowdockToken#HEADER} header for the exact body received and reads the
   * body.
   *
   * @param secrets the app's valid secrets (two while one is being rotated)
   * @throws VerificationException naming the failed check: the token's (see {@link
   *     FlowdockToken#verify(List, String, byte[], Instant, java.time.Duration)}), or {@link
   *     Check#MALFORMED} if the signed body is not an UpdateAction
   */
  public static Verified verify(
      List<AppSecret> secrets, String flowdockToken, byte[] body, Instant now) {
    String userId =
        FlowdockToken.verify(secrets, flowdockToken, body, now, FlowdockToken.DEFAULT_SKEW);
    return new Verified(userId, UpdateAction.parse(body));
  }
}
