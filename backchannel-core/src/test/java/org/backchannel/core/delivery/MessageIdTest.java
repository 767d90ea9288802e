package org.backchannel.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The {@code webhook-id} of a delivery: the documented form, unique, and in the order made. */
class MessageIdTest {
  private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");

  @Test
  void isMsgAndTwentyFourHexCharacters() {
    assertThat(Outbox.newMessageId(NOW)).matches("msg_[0-9a-f]{24}");
  }

  @Test
  void idsMadeInTheSameMillisecondDiffer() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(Outbox.newMessageId(NOW));
    }
    assertThat(ids).hasSize(10_000);
  }

  @Test
  void anIdMadeLaterSortsAfter() {
    String earlier = Outbox.newMessageId(NOW);
    assertThat(Outbox.newMessageId(NOW.plusMillis(1))).isGreaterThan(earlier);
    assertThat(Outbox.newMessageId(NOW.plusSeconds(86_400L * 365 * 50))).isGreaterThan(earlier);
  }
}
