package org.backchannel.core.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.backchannel.core.Problem;
import org.backchannel.core.store.Store;
import org.backchannel.core.web.WebStore;
import org.backchannel.core.workspace.Directory;
import org.backchannel.core.workspace.User;
import org.backchannel.testkit.SettableClock;
import org.backchannel.testkit.TestDatabases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Setup links, passwords and sessions on a real store, with time moved by hand. */
final class WebAccountsTest {
  static final String PASSWORD = "correct horse battery";
  static final String HOME = "192.0.2.1";
  static final String ATTACKER = "198.51.100.7";
  static final String OTHER_ATTACKER = "203.0.113.9";
  final SettableClock clock = new SettableClock(Instant.parse("2026-11-23T10:00:00Z"));
  Store store;
  WebAccounts accounts;
  User ada;

  @BeforeEach
  void open() {
    store = TestDatabases.sqlite();
    accounts = new WebAccounts(store, clock);
    ada = new Directory(store, clock).bootstrap("Acme", "Ada", "ada@example.com").value();
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void aSetupLinkWorksOnceAndOnlyWithin24Hours() {
    String late = accounts.newSetupLink(ada.workspaceId(), "ada@example.com");
    clock.advance(Duration.ofHours(24));
    assertThat(accounts.setupUser(late)).isEmpty();

    String link = accounts.newSetupLink(ada.workspaceId(), "Ada@Example.com");
    assertThat(accounts.setupUser(link)).contains(ada);
    assertThatThrownBy(() -> accounts.completeSetup(link, "short", "short"))
        .isInstanceOf(Problem.Invalid.class);
    assertThatThrownBy(() -> accounts.completeSetup(link, PASSWORD, PASSWORD + "!"))
        .isInstanceOf(Problem.Invalid.class);
    assertThat(accounts.completeSetup(link, PASSWORD, PASSWORD)).isEqualTo(ada);
    assertThatThrownBy(() -> accounts.completeSetup(link, PASSWORD, PASSWORD))
        .isInstanceOf(Problem.NotFound.class);
    assertThat(accounts.checkPassword(HOME, " ADA@example.com ", PASSWORD)).contains(ada);
    assertThat(accounts.checkPassword(HOME, "ada@example.com", "wrong password")).isEmpty();
    assertThat(accounts.checkPassword(HOME, "nobody@example.com", PASSWORD)).isEmpty();
  }

  @Test
  void anUnknownEmailIsCheckedAgainstAHashAsCostlyAsARealOne() throws Exception {
    // The fixed stand-in hash must stay a valid hash at the cost real ones use, or an unknown
    // email would answer faster than a known one.
    BCrypt.HashData dummy =
        BCrypt.Version.VERSION_2A.parser.parse(
            WebAccounts.DUMMY_HASH.getBytes(StandardCharsets.UTF_8));
    assertThat(dummy.cost).isEqualTo(WebAccounts.COST);
    assertThat(
            BCrypt.verifyer()
                .verify("not a password".toCharArray(), WebAccounts.DUMMY_HASH)
                .verified)
        .isTrue();
  }

  @Test
  void guessingSomeonesPasswordSlowsTheGuesserAndNotTheOwner() {
    setPassword();
    for (int i = 0; i < 25; i++) {
      if (accounts.throttled(ATTACKER, "ada@example.com").isEmpty()) {
        accounts.checkPassword(ATTACKER, "ada@example.com", "guess " + i);
      }
      clock.advance(Duration.ofSeconds(1));
    }
    assertThat(accounts.throttled(ATTACKER, "ada@example.com")).isPresent();
    // Another client guessing too, once it has a few failures, waits as long as the attack lasts.
    for (int i = 0; i <= SignInThrottle.GUARDED_CLIENT_FAILURES; i++) {
      accounts.checkPassword(OTHER_ATTACKER, "ada@example.com", "other guess " + i);
    }
    assertThat(accounts.throttled(OTHER_ATTACKER, "ada@example.com")).isPresent();

    // Ada, from her own browser, is not kept out, even after a typo, and is told of the attempts.
    assertThat(accounts.checkPassword(HOME, "ada@example.com", "typo")).isEmpty();
    assertThat(accounts.throttled(HOME, "ada@example.com")).isEmpty();
    assertThat(accounts.checkPassword(HOME, "ada@example.com", PASSWORD)).contains(ada);
    String notice = accounts.failedSignIns(ada).orElseThrow();
    assertThat(Integer.parseInt(notice.substring(0, notice.indexOf(' '))))
        .isGreaterThanOrEqualTo(SignInThrottle.ACCOUNT_FAILURES);
    assertThat(accounts.failedSignIns(ada)).as("told once").isEmpty();

    clock.advance(SignInThrottle.WINDOW);
    assertThat(accounts.throttled(ATTACKER, "ada@example.com")).isEmpty();
  }

  @Test
  void oneClientTryingManyEmailsBacksOffLongerAndLonger() {
    setPassword();
    Duration previous = Duration.ZERO;
    for (int i = 0; i < 12; i++) {
      String email = "person" + i + "@example.com";
      assertThat(accounts.throttled(ATTACKER, email)).as("try %d", i).isEmpty();
      assertThat(accounts.checkPassword(ATTACKER, email, "guess")).isEmpty();
      Duration wait =
          accounts.throttled(ATTACKER, "someone.else@example.com").orElse(Duration.ZERO);
      if (i < SignInThrottle.FREE_FAILURES - 1) {
        assertThat(wait).isZero();
      } else {
        assertThat(wait).isGreaterThan(previous);
      }
      previous = wait;
      clock.advance(wait);
    }
    assertThat(previous).isGreaterThanOrEqualTo(Duration.ofSeconds(64));
    // Its back-off is its own: Ada signs in from home meanwhile.
    assertThat(accounts.checkPassword(HOME, "ada@example.com", PASSWORD)).contains(ada);
  }

  @Test
  void anUnknownEmailIsGuardedAsAKnownOneIsSoTheAnswersDoNotTellWhichExist() {
    setPassword();
    String[] emails = {"ada@example.com", "ghost@example.com"};
    for (int e = 0; e < emails.length; e++) {
      // Four clients, three failures each: none backs off yet, but the email is now guarded.
      for (int c = 0; c < 4; c++) {
        for (int k = 0; k <= SignInThrottle.GUARDED_CLIENT_FAILURES; k++) {
          accounts.checkPassword("10.0." + e + "." + c, emails[e], "guess " + k);
        }
      }
      assertThat(accounts.throttled("10.0." + e + ".0", emails[e])).as(emails[e]).isPresent();
      assertThat(accounts.throttled("10.0." + e + ".0", "someone@example.com")).isEmpty();
      assertThat(accounts.throttled(HOME, emails[e])).isEmpty();
    }
  }

  private void setPassword() {
    String link = accounts.newSetupLink(ada.workspaceId(), "ada@example.com");
    accounts.completeSetup(link, PASSWORD, PASSWORD);
  }

  @Test
  void sessionsLastTwoWeeksAndEndOnSignOut() {
    String id = accounts.startSession(ada);
    assertThat(accounts.sessionUser(id)).contains(ada);
    assertThat(accounts.sessionUser(id + "x")).isEmpty();
    assertThat(WebAccounts.csrfToken(id)).isNotEqualTo(id).hasSize(64);
    accounts.endSession(id);
    assertThat(accounts.sessionUser(id)).isEmpty();

    String other = accounts.startSession(ada);
    clock.advance(WebAccounts.SESSION_LIFETIME);
    assertThat(accounts.sessionUser(other)).isEmpty();
  }

  @Test
  void signingInDeletesExpiredSessions() {
    Instant start = clock.instant();
    String old = accounts.startSession(ada);
    clock.advance(Duration.ofDays(1));
    String recent = accounts.startSession(ada);
    clock.advance(WebAccounts.SESSION_LIFETIME.minus(Duration.ofDays(1)));
    // the first has just expired, the second has a day left
    accounts.startSession(ada);
    assertThat(storedSession(old, start)).as("expired, deleted").isEmpty();
    assertThat(storedSession(recent, start)).as("still valid, kept").isPresent();
    assertThat(accounts.sessionUser(recent)).contains(ada);
  }

  /** The stored row of a session, read as at {@code at} so an expired row would still show. */
  private java.util.Optional<org.backchannel.core.web.WebStore.Session> storedSession(
      String id, Instant at) {
    return store.transaction(
        (org.backchannel.core.store.Tx t) ->
            t.store(WebStore.class).session(org.backchannel.core.security.Tokens.hash(id), at));
  }
}
