package org.backchannel.core.accounts;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Optional;
import org.backchannel.core.Problem;
import org.backchannel.core.Validation;
import org.backchannel.core.security.Tokens;
import org.backchannel.core.store.Store;
import org.backchannel.core.web.WebStore;
import org.backchannel.core.workspace.Directory;
import org.backchannel.core.workspace.User;
import org.backchannel.core.workspace.WorkspaceStore;

/**
 * Passwords, one-time setup links and browser sessions. Tokens are random and stored as SHA-256, so
 * lookups are by hash and no stored secret is ever compared; passwords are bcrypt hashes.
 */
public final class WebAccounts {
  public static final Duration SETUP_LINK_LIFETIME = Duration.ofHours(24);
  public static final Duration SESSION_LIFETIME = Duration.ofDays(14);
  public static final int COST = 12;
  // bcrypt reads at most 72 bytes; longer passwords would be silently cut.
  private static final int MAX_PASSWORD_BYTES = 72;
  // Checked against when the email is unknown, so both paths take the same time. A fixed hash
  // (of "not a password", at COST): computing one at start-up took a quarter of a second.
  public static final String DUMMY_HASH =
      "$2a$12$Nsgz3GuadXadEh/RUM/CaekNPxK1Kf3hho/gWZC0PEgtRPHpyvpG.";

  private final Store store;
  private final InstantSource clock;
  private final SignInThrottle throttle;

  public WebAccounts(Store store, InstantSource clock) {
    this.store = store;
    this.clock = clock;
    this.throttle = new SignInThrottle(clock);
  }

  /** A one-time token for {@code /setup/<token>}, valid for 24 hours; only its hash is kept. */
  public String newSetupLink(long workspaceId, String email) {
    User user =
        store
            .read(
                tx ->
                    tx.store(WorkspaceStore.class)
                        .userByEmail(workspaceId, Directory.normalEmail(email)))
            .orElseThrow(() -> new Problem.NotFound("no user with email " + email));
    if (!user.isActive()) {
      throw new Problem.Conflict(email + " is deactivated: reactivate them first");
    }
    String token = Tokens.hex(32);
    store.transaction(
        tx -> {
          tx.store(WebStore.class)
              .insertSetupLink(
                  Tokens.hash(token),
                  user.id(),
                  clock.instant().plus(SETUP_LINK_LIFETIME),
                  clock.instant());
          return null;
        });
    return token;
  }

  /** The person a setup link is for, if it is unused and unexpired and they are active. */
  public Optional<User> setupUser(String token) {
    return store.read(
        tx ->
            tx.store(WebStore.class)
                .setupLinkUser(Tokens.hash(token), clock.instant())
                .flatMap(tx.store(WorkspaceStore.class)::user)
                .filter(User::isActive));
  }

  /** Uses a setup link to set the person's password; the link cannot be used again. */
  public User completeSetup(String token, String password, String repeated) {
    Validation v = new Validation();
    if (password == null || password.length() < 10) {
      v.add("password", "must be at least 10 characters");
    } else if (password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
      v.add("password", "must be at most 72 bytes");
    } else if (!password.equals(repeated)) {
      v.add("repeat", "must be the same password");
    }
    v.throwIfInvalid();
    String hash = BCrypt.withDefaults().hashToString(COST, password.toCharArray());
    return store.transaction(
        tx -> {
          String tokenHash = Tokens.hash(token);
          Optional<User> user =
              tx.store(WebStore.class)
                  .setupLinkUser(tokenHash, clock.instant())
                  .flatMap(tx.store(WorkspaceStore.class)::user)
                  .filter(User::isActive);
          if (user.isEmpty()
              || !tx.store(WebStore.class).useSetupLink(tokenHash, clock.instant())) {
            throw new Problem.NotFound("this setup link has been used or has expired");
          }
          tx.store(WebStore.class).setPasswordHash(user.get().id(), hash, clock.instant());
          return user.get();
        });
  }

  /**
   * How long {@code client} (its address) must wait before trying this email again; empty when it
   * may try now. See {@link SignInThrottle}: the owner of an email others are guessing at is not
   * kept out.
   */
  public Optional<Duration> throttled(String client, String email) {
    return throttle.wait(client, email == null ? null : Directory.normalEmail(email));
  }

  /** Wrong passwords for this person's email they have not been told of yet, once. */
  public Optional<String> failedSignIns(User user) {
    return throttle
        .takeUnseen(Directory.normalEmail(user.email()))
        .map(
            u ->
                u.count()
                    + (u.count() == 1 ? " failed sign-in" : " failed sign-ins")
                    + " with your email recently, the latest at "
                    + u.last().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    + ". If that was not you, someone may be guessing your password.");
  }

  /**
   * The active person with this email and password, in any workspace; empty if either is wrong. A
   * deactivated person gets the same answer as a wrong password, after the same work, so sign-in
   * does not tell who has left.
   */
  public Optional<User> checkPassword(String client, String email, String password) {
    if (email == null || password == null) {
      return Optional.empty();
    }
    String normal = Directory.normalEmail(email);
    record Candidate(User user, String hash) {}
    Optional<Candidate> found =
        store.read(
            tx ->
                tx.store(WorkspaceStore.class).workspaces().stream()
                    .flatMap(
                        w -> tx.store(WorkspaceStore.class).userByEmail(w.id(), normal).stream())
                    .flatMap(
                        u ->
                            tx
                                .store(WebStore.class)
                                .passwordHash(u.id())
                                .map(h -> new Candidate(u, h))
                                .stream())
                    .findFirst());
    byte[] given = password.getBytes(StandardCharsets.UTF_8);
    if (given.length > MAX_PASSWORD_BYTES) {
      throttle.failed(client, normal, found.isPresent());
      return Optional.empty();
    }
    String hash = found.map(Candidate::hash).orElse(DUMMY_HASH);
    boolean verified =
        BCrypt.verifyer().verify(password.toCharArray(), hash.toCharArray()).verified;
    if (!verified || found.isEmpty() || !found.get().user().isActive()) {
      throttle.failed(client, normal, found.isPresent());
      return Optional.empty();
    }
    throttle.succeeded(client);
    return found.map(Candidate::user);
  }

  /**
   * Starts a session; the returned id goes in the cookie and only its hash is stored. Sessions that
   * have expired are deleted here, so the table holds only live ones plus those since the last
   * sign-in.
   */
  public String startSession(User user) {
    String id = Tokens.hex(32);
    store.transaction(
        tx -> {
          tx.store(WebStore.class).deleteExpiredSessions(clock.instant());
          tx.store(WebStore.class)
              .insertSession(
                  Tokens.hash(id),
                  user.id(),
                  clock.instant().plus(SESSION_LIFETIME),
                  clock.instant());
          return null;
        });
    return id;
  }

  public Optional<User> sessionUser(String id) {
    if (id == null || id.isBlank()) {
      return Optional.empty();
    }
    return store.read(
        tx ->
            tx.store(WebStore.class)
                .session(Tokens.hash(id), clock.instant())
                .flatMap(s -> tx.store(WorkspaceStore.class).user(s.userId()))
                .filter(User::isActive));
  }

  public void endSession(String id) {
    if (id != null) {
      store.transaction(
          tx -> {
            tx.store(WebStore.class).deleteSession(Tokens.hash(id));
            return null;
          });
    }
  }

  /** The CSRF token of a session: derived from its id, so it needs no storage. */
  public static String csrfToken(String sessionId) {
    return Tokens.hash("csrf:" + sessionId);
  }
}
