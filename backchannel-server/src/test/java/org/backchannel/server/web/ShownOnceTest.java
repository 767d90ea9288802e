package org.backchannel.server.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.backchannel.core.workspace.User;
import org.backchannel.testkit.SettableClock;
import org.junit.jupiter.api.Test;

/** A new secret is shown once, to the session that made it, soon after it was made. */
final class ShownOnceTest {
  final SettableClock clock = new SettableClock(Instant.parse("2026-11-23T10:00:00Z"));
  final ShownOnce shown = new ShownOnce(clock);
  final User ada =
      new User(1, 1, "Ada", "ada@example.com", null, User.Role.ADMIN, clock.instant(), null);
  final Session mine = new Session(ada, "session-1");
  final Session other = new Session(ada, "session-2");

  @Test
  void onlyOnceAndOnlyToTheSessionThatMadeIt() {
    String key = shown.keep(mine, "s3cret");
    assertThat(shown.take(other, key)).isEmpty();
    assertThat(shown.take(mine, key)).contains("s3cret");
    assertThat(shown.take(mine, key)).as("second look").isEmpty();
    assertThat(shown.take(mine, null)).isEmpty();
    assertThat(shown.take(mine, "made-up")).isEmpty();
  }

  @Test
  void notAfterItsLifetime() {
    String late = shown.keep(mine, "late");
    String soon = shown.keep(mine, "soon");
    clock.advance(ShownOnce.LIFETIME.minus(Duration.ofSeconds(1)));
    assertThat(shown.take(mine, soon)).contains("soon");
    clock.advance(Duration.ofSeconds(1));
    assertThat(shown.take(mine, late)).isEmpty();
  }
}
