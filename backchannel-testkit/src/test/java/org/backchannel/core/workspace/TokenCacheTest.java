package org.backchannel.core.workspace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.backchannel.core.Created;
import org.backchannel.core.Problem;
import org.backchannel.core.store.Store;
import org.backchannel.testkit.SettableClock;
import org.backchannel.testkit.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * API tokens are remembered for a moment, on two nodes over one real store: the node that makes a
 * change sees it at once, another node within {@link Directory#TOKEN_CACHE}.
 */
final class TokenCacheTest {
  final SettableClock clock = new SettableClock(Instant.parse("2026-11-23T10:00:00Z"));
  Store store;
  Directory here;
  Directory there;
  Created<User> ada;

  @BeforeEach
  void open() {
    store = TestDatabases.sqlite();
    here = new Directory(store, clock);
    there = new Directory(store, clock);
    ada = here.bootstrap("Acme", "Ada", "ada@example.com");
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void aDeactivatedPersonsTokenStopsAtOnceHereAndWithinTheCacheTimeElsewhere() {
    Created<User> bob =
        here.createUser(ada.value(), "Bob", "bob@example.com", null, User.Role.MEMBER);
    assertThat(here.authenticate(bob.secret())).isEqualTo(bob.value());
    assertThat(there.authenticate(bob.secret())).isEqualTo(bob.value());

    here.deactivate(ada.value(), bob.value().id());

    assertThatThrownBy(() -> here.authenticate(bob.secret()))
        .isInstanceOf(Problem.Unauthorized.class);
    assertThat(there.authenticate(bob.secret())).as("another node, within the moment").isNotNull();
    clock.advance(Directory.TOKEN_CACHE);
    assertThatThrownBy(() -> there.authenticate(bob.secret()))
        .isInstanceOf(Problem.Unauthorized.class);
  }

  @Test
  void aRotatedTokenWorksAtOnceAndTheOldOneStopsHere() {
    String old = ada.secret();
    assertThat(here.authenticate(old)).isNotNull();
    Created<User> rotated = here.rotateToken(ada.value(), ada.value().id());

    assertThat(here.authenticate(rotated.secret()).id()).isEqualTo(ada.value().id());
    assertThatThrownBy(() -> here.authenticate(old)).isInstanceOf(Problem.Unauthorized.class);
  }

  @Test
  void anUnknownTokenIsRefusedAndAPersonAddedLaterIsKnownAtOnce() {
    assertThatThrownBy(() -> here.authenticate("bcu_nobody"))
        .isInstanceOf(Problem.Unauthorized.class);
    Created<User> cy = here.createUser(ada.value(), "Cy", "cy@example.com", null, User.Role.MEMBER);
    assertThat(here.authenticate(cy.secret())).isEqualTo(cy.value());
  }
}
