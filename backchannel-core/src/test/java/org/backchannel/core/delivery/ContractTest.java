package org.backchannel.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A delivery stores its person as a user id; each contract writes the id its own way. */
final class ContractTest {
  @Test
  void flockNamesPeopleWithAPrefixTheOthersByNumber() {
    assertThat(Contract.FLOCK.actor(42L)).isEqualTo("u:42");
    assertThat(Contract.FLOWDOCK.actor(42L)).isEqualTo("42");
    assertThat(Contract.FLOWDASH.actor(42L)).isEqualTo("42");
    assertThat(Contract.NATIVE.actor(null)).isNull();
  }
}
