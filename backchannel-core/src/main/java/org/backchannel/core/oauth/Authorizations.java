package org.backchannel.core.oauth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.backchannel.core.Problem;
import org.backchannel.core.Validation;
import org.backchannel.core.apps.App;
import org.backchannel.core.apps.AppStore;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.security.Tokens;
import org.backchannel.core.store.Store;
import org.backchannel.core.store.Tx;
import org.backchannel.core.workspace.Directory;
import org.backchannel.core.workspace.Flow;
import org.backchannel.core.workspace.Scope;
import org.backchannel.core.workspace.User;
import org.backchannel.core.workspace.WorkspaceStore;

/**
 * The authorisation server's protocol logic: which client and redirect URI an authorisation request
 * names, the consent a person gives (a grant and a single-use code), and the token endpoint's
 * grants (authorization code with PKCE, refresh token with rotation and reuse detection) and
 * revocation (RFC 7009). The HTTP layer parses and writes the protocol's messages; this decides.
 *
 * <p>Client ids are unique per workspace only, so an app is found through what the request carries
 * that is tied to one (a code, a token, the signed-in person), and by client id alone only to
 * choose between two refusals.
 */
public final class Authorizations {
  /** How long an authorisation code may be exchanged. */
  public static final Duration CODE_LIFETIME = Duration.ofSeconds(60);

  public static final Duration ACCESS_LIFETIME = Duration.ofHours(1);
  public static final Duration REFRESH_LIFETIME = Duration.ofDays(90);

  static final int MAX_DESCRIPTION = 500;

  private final Store store;
  private final SecretBox box;
  private final Directory directory;
  private final InstantSource clock;
  // Set once at start from --dev: whether http redirect URIs to loopback may be registered and
  // used.
  private volatile boolean loopbackAllowed;

  public Authorizations(Store store, SecretBox box, Directory directory, InstantSource clock) {
    this.store = store;
    this.box = box;
    this.directory = directory;
    this.clock = clock;
  }

  /** Lets apps register and use http redirect URIs to loopback: for a server run with --dev. */
  public void allowLoopback(boolean allowed) {
    this.loopbackAllowed = allowed;
  }

  // ---- client settings (admins)

  /** An app's settings as an OAuth client; an app never set up has none of its own yet. */
  public OAuthClient client(User caller, long appId) {
    Directory.requireAdmin(caller);
    return store.read(
        tx -> {
          app(tx, caller, appId);
          return tx.store(OAuthStore.class)
              .client(appId)
              .orElse(new OAuthClient(appId, List.of(), false, false, null, null));
        });
  }

  /**
   * Replaces an app's client settings (admins only): exact redirect URIs, whether it is a public
   * client, whether it is approved for the workspace's directory, and how the directory presents
   * it.
   */
  public OAuthClient saveClient(User caller, OAuthClient wanted) {
    Directory.requireAdmin(caller);
    Validation v = new Validation();
    List<String> uris = wanted.redirectUris();
    if (uris.size() > RedirectUris.MAX_COUNT) {
      v.add("redirect_uris", "must list at most " + RedirectUris.MAX_COUNT + " URIs");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < uris.size(); i++) {
      String field = "redirect_uris[" + i + "]";
      RedirectUris.check(v, field, uris.get(i), loopbackAllowed);
      if (uris.get(i) != null && !seen.add(uris.get(i))) {
        v.add(field, "is listed twice");
      }
    }
    String description = blankToNull(wanted.description());
    v.maxLength("description", description, MAX_DESCRIPTION);
    String installUrl = blankToNull(wanted.installUrl());
    if (installUrl != null) {
      RedirectUris.checkLink(v, "install_url", installUrl, loopbackAllowed);
    }
    v.throwIfInvalid();
    OAuthClient client =
        new OAuthClient(
            wanted.appId(),
            uris,
            wanted.publicClient(),
            wanted.approved(),
            description == null ? null : description.strip(),
            installUrl);
    return store.transaction(
        tx -> {
          app(tx, caller, wanted.appId());
          tx.store(OAuthStore.class).saveClient(client, clock.instant());
          return client;
        });
  }

  // ---- the authorisation endpoint

  /**
   * Refuses a link, before anyone signs in, whose client id and redirect URI no app registered
   * together: the person is shown why, and never sent to that URI.
   *
   * @throws Problem.Invalid naming {@code client_id} or {@code redirect_uri}
   */
  public void checkClient(String clientId, String redirectUri) {
    requireClientParams(clientId, redirectUri);
    store.read(
        tx -> {
          OAuthStore oauth = tx.store(OAuthStore.class);
          List<Long> apps = oauth.appsWithClientId(clientId);
          if (apps.isEmpty()) {
            throw Problem.Invalid.of("client_id", "names no app registered here");
          }
          if (apps.stream().noneMatch(id -> registers(oauth.client(id), redirectUri))) {
            throw Problem.Invalid.of("redirect_uri", "is not one the app registered");
          }
          return null;
        });
  }

  /**
   * Refuses a request of a signed-in person whose client id names no app of their workspace, or
   * whose redirect URI that app did not register: shown to the person, never redirected.
   *
   * @throws Problem.Invalid naming {@code client_id} or {@code redirect_uri}
   */
  public void checkRedirect(User person, String clientId, String redirectUri) {
    store.read(tx -> resolve(tx, person, clientId, redirectUri));
  }

  /**
   * What the consent page shows for a request.
   *
   * @throws Problem.Invalid when the client or redirect URI is not valid (show, never redirect)
   * @throws OAuthError for every other fault, to be sent to the redirect URI with the state
   */
  public Consent consent(User person, AuthorizationAsk ask) {
    return store.read(tx -> consent(tx, person, ask));
  }

  /**
   * The person allows: records the grant (and who gave it) and answers a single-use code, bound to
   * the redirect URI and the PKCE challenge, for the app to exchange within {@link #CODE_LIFETIME}.
   *
   * @param flowId the flow picked for a flow-scoped grant; ignored for others
   */
  public String approve(User person, AuthorizationAsk ask, Long flowId) {
    Instant now = clock.instant();
    return store.transaction(
        tx -> {
          Consent c = consent(tx, person, ask);
          Long flow = null;
          if (c.needsFlow()) {
            if (flowId == null) {
              throw Problem.Invalid.of("flow", "is required: pick the flow the app may use");
            }
            flow =
                c.flows().stream()
                    .filter(f -> f.id() == flowId)
                    .findFirst()
                    .map(Flow::id)
                    .orElseThrow(
                        () -> Problem.Invalid.of("flow", "must be a flow you are a member of"));
          }
          OAuthStore oauth = tx.store(OAuthStore.class);
          Set<Scope> scopes = Set.copyOf(c.scopes());
          Grant grant =
              oauth.insertGrant(person.workspaceId(), c.app().id(), person.id(), flow, scopes, now);
          oauth.insertEvent(
              person.workspaceId(),
              grant.id(),
              person.id(),
              "granted",
              Scope.format(scopes) + (flow == null ? "" : "; flow " + flow),
              now);
          String code = Tokens.newAuthorizationCode();
          oauth.insertCode(
              Tokens.hash(code),
              grant.id(),
              ask.redirectUri(),
              ask.codeChallenge(),
              now.plus(CODE_LIFETIME));
          return code;
        });
  }

  private Consent consent(Tx tx, User person, AuthorizationAsk ask) {
    Resolved r = resolve(tx, person, ask.clientId(), ask.redirectUri());
    // The redirect URI is known good from here on: every refusal goes back to it.
    if (ask.responseType() == null) {
      throw OAuthError.invalidRequest("response_type is required: code");
    }
    if (!ask.responseType().equals("code")) {
      throw OAuthError.unsupportedResponseType("response_type must be code");
    }
    Set<Scope> scopes = requestedScopes(ask.scope());
    String challenge = ask.codeChallenge();
    if (challenge != null) {
      if (!Pkce.S256.equals(ask.codeChallengeMethod())) {
        throw OAuthError.invalidRequest("code_challenge_method must be S256");
      }
      if (!Pkce.wellFormedChallenge(challenge)) {
        throw OAuthError.invalidRequest(
            "code_challenge must be the base64url SHA-256 of the code verifier (43 characters)");
      }
    } else if (ask.codeChallengeMethod() != null) {
      throw OAuthError.invalidRequest("code_challenge_method was sent without code_challenge");
    } else if (r.client().publicClient()) {
      throw OAuthError.invalidRequest("a public client must send a PKCE code_challenge (S256)");
    }
    switch (tx.store(OAuthStore.class).policy(person.workspaceId())) {
      case NONE ->
          throw OAuthError.accessDenied(
              "this workspace's admins have turned off adding apps; ask one of them");
      case APPROVED -> {
        if (!r.client().approved()) {
          throw OAuthError.accessDenied(
              "this workspace allows only apps its admins approved, and this app is not one");
        }
      }
      case ANY -> {}
    }
    boolean needsFlow = scopes.stream().anyMatch(Scope::flowScoped);
    List<Flow> flows =
        needsFlow ? tx.store(WorkspaceStore.class).flowsOfMember(person.id()) : List.of();
    return new Consent(r.app(), r.client(), scopes.stream().sorted().toList(), needsFlow, flows);
  }

  private record Resolved(App app, OAuthClient client) {}

  private Resolved resolve(Tx tx, User person, String clientId, String redirectUri) {
    requireClientParams(clientId, redirectUri);
    OAuthStore oauth = tx.store(OAuthStore.class);
    AppStore apps = tx.store(AppStore.class);
    App app =
        oauth.appsWithClientId(clientId).stream()
            .map(apps::app)
            .flatMap(Optional::stream)
            .filter(a -> a.workspaceId() == person.workspaceId())
            .findFirst()
            .orElseThrow(() -> Problem.Invalid.of("client_id", "names no app of your workspace"));
    OAuthClient client =
        oauth
            .client(app.id())
            .filter(c -> registers(Optional.of(c), redirectUri))
            .orElseThrow(() -> Problem.Invalid.of("redirect_uri", "is not one the app registered"));
    return new Resolved(app, client);
  }

  private static void requireClientParams(String clientId, String redirectUri) {
    Validation v = new Validation();
    v.required("client_id", clientId);
    v.required("redirect_uri", redirectUri);
    v.throwIfInvalid();
  }

  private boolean registers(Optional<OAuthClient> client, String redirectUri) {
    return client.isPresent()
        && client.get().redirectUris().contains(redirectUri)
        && RedirectUris.usable(redirectUri, loopbackAllowed);
  }

  private static Set<Scope> requestedScopes(String scope) {
    if (scope == null || scope.isBlank()) {
      throw OAuthError.invalidScope(
          "scope is required: name what the app may do, such as \"flow:post user:read\"");
    }
    try {
      return Scope.parse(scope);
    } catch (IllegalArgumentException e) {
      throw OAuthError.invalidScope(e.getMessage());
    }
  }

  // ---- the token endpoint

  /**
   * Exchanges an authorisation code (RFC 6749 §4.1.3, RFC 7636 §4.6): once, within its lifetime, by
   * the client it was issued to, with the same redirect URI and the PKCE verifier of its challenge.
   * A code presented a second time revokes its grant and every token it gave (RFC 6749 §4.1.2).
   */
  public IssuedTokens exchangeCode(
      ClientCredentials creds, String code, String redirectUri, String codeVerifier) {
    Instant now = clock.instant();
    return store
        .transaction(
            tx -> {
              OAuthStore oauth = tx.store(OAuthStore.class);
              Optional<IssuedCode> issued =
                  code == null ? Optional.empty() : oauth.useCode(Tokens.hash(code), now);
              if (issued.isEmpty()) {
                authenticate(tx, creds, null);
                return Outcome.refused(OAuthError.invalidGrant("the code is not valid"));
              }
              IssuedCode c = issued.get();
              Grant grant = oauth.grant(c.grantId()).orElseThrow();
              App app = tx.store(AppStore.class).app(grant.appId()).orElseThrow();
              // A failed authentication rolls back, so the code is not spent by a wrong secret.
              App client = authenticate(tx, creds, app);
              if (client.id() != app.id()) {
                return Outcome.refused(
                    OAuthError.invalidGrant("the code was issued to another client"));
              }
              if (c.usedAt() != null) {
                revoke(tx, grant, "code_reused", "an authorisation code was presented again", now);
                return Outcome.refused(
                    OAuthError.invalidGrant(
                        "the code was used already: the tokens it gave are revoked"));
              }
              if (!now.isBefore(c.expiresAt())) {
                return Outcome.refused(OAuthError.invalidGrant("the code has expired"));
              }
              if (grant.revoked()) {
                return Outcome.refused(OAuthError.invalidGrant("the grant was revoked"));
              }
              if (!c.redirectUri().equals(redirectUri)) {
                return Outcome.refused(
                    OAuthError.invalidGrant(
                        "redirect_uri must be the one the authorisation request named"));
              }
              if (c.codeChallenge() != null) {
                if (!Pkce.verifies(codeVerifier, c.codeChallenge())) {
                  return Outcome.refused(
                      OAuthError.invalidGrant(
                          codeVerifier == null
                              ? "code_verifier is required: the request had a code_challenge"
                              : "code_verifier does not match the code_challenge"));
                }
              } else if (codeVerifier != null) {
                return Outcome.refused(
                    OAuthError.invalidGrant(
                        "code_verifier was sent, but the authorisation request had no"
                            + " code_challenge"));
              } else if (creds.secret() == null) {
                return Outcome.refused(
                    OAuthError.invalidGrant("a public client must use PKCE (S256)"));
              }
              if (!holds(tx, grant)) {
                return Outcome.refused(
                    OAuthError.invalidGrant(
                        "the person who authorised the app can no longer give it access"));
              }
              return Outcome.issued(issue(oauth, grant, now));
            })
        .get();
  }

  /**
   * Trades a refresh token for new tokens (RFC 6749 §6), rotating it: the one presented is spent,
   * and presenting it again revokes the whole grant (reuse detection). {@code scope}, if sent, must
   * repeat the granted scopes: they can be neither widened nor narrowed.
   */
  public IssuedTokens refresh(ClientCredentials creds, String refreshToken, String scope) {
    Instant now = clock.instant();
    return store
        .transaction(
            tx -> {
              OAuthStore oauth = tx.store(OAuthStore.class);
              Optional<IssuedToken> presented =
                  refreshToken == null
                      ? Optional.empty()
                      : oauth
                          .token(Tokens.hash(refreshToken))
                          .filter(t -> t.kind() == IssuedToken.Kind.REFRESH);
              if (presented.isEmpty()) {
                authenticate(tx, creds, null);
                return Outcome.refused(OAuthError.invalidGrant("the refresh token is not valid"));
              }
              IssuedToken t = presented.get();
              Grant grant = oauth.grant(t.grantId()).orElseThrow();
              App app = tx.store(AppStore.class).app(grant.appId()).orElseThrow();
              App client = authenticate(tx, creds, app);
              if (client.id() != app.id()) {
                return Outcome.refused(
                    OAuthError.invalidGrant("the refresh token was issued to another client"));
              }
              if (t.usedAt() != null) {
                return reused(tx, grant, now);
              }
              if (grant.revoked() || t.revokedAt() != null) {
                return Outcome.refused(OAuthError.invalidGrant("the grant was revoked"));
              }
              if (t.expiresAt() != null && !now.isBefore(t.expiresAt())) {
                return Outcome.refused(OAuthError.invalidGrant("the refresh token has expired"));
              }
              if (!holds(tx, grant)) {
                return Outcome.refused(
                    OAuthError.invalidGrant(
                        "the person who authorised the app can no longer give it access"));
              }
              if (scope != null) {
                OAuthError wrong = scopeProblem(scope, grant.scopes());
                if (wrong != null) {
                  return Outcome.refused(wrong);
                }
              }
              // Spent only now, when it gives new tokens; a racing second use finds it spent.
              if (!oauth.useToken(t.id(), now)) {
                return reused(tx, grant, now);
              }
              return Outcome.issued(issue(oauth, grant, now));
            })
        .get();
  }

  private static Outcome reused(Tx tx, Grant grant, Instant now) {
    revoke(tx, grant, "refresh_reused", "a refresh token was presented again", now);
    return Outcome.refused(
        OAuthError.invalidGrant(
            "the refresh token was used already: the grant and its tokens are revoked"));
  }

  private static OAuthError scopeProblem(String scope, Set<Scope> granted) {
    Set<Scope> asked;
    try {
      asked = Scope.parse(scope);
    } catch (IllegalArgumentException e) {
      return OAuthError.invalidScope(e.getMessage());
    }
    List<String> beyond = new ArrayList<>();
    asked.stream().filter(s -> !granted.contains(s)).forEach(s -> beyond.add(s.wire()));
    if (!beyond.isEmpty()) {
      return OAuthError.invalidScope("not granted: " + String.join(" ", beyond));
    }
    if (!asked.equals(granted)) {
      return OAuthError.invalidScope(
          "a refresh keeps the granted scopes (" + Scope.format(granted) + "): leave scope out");
    }
    return null;
  }

  /**
   * Revokes a token (RFC 7009) on behalf of the client it was issued to: an access token alone; a
   * refresh token with its whole grant, so every access token of the grant and every source made
   * under it stop too (§2.1). A token that is unknown, already revoked or another client's is
   * answered the same way, with nothing done.
   */
  public void revoke(ClientCredentials creds, String token) {
    Instant now = clock.instant();
    store.transaction(
        tx -> {
          OAuthStore oauth = tx.store(OAuthStore.class);
          Optional<IssuedToken> found =
              token == null ? Optional.empty() : oauth.token(Tokens.hash(token));
          if (found.isEmpty()) {
            authenticate(tx, creds, null);
            return null;
          }
          IssuedToken t = found.get();
          Grant grant = oauth.grant(t.grantId()).orElseThrow();
          App app = tx.store(AppStore.class).app(grant.appId()).orElseThrow();
          if (authenticate(tx, creds, app).id() != app.id()) {
            return null;
          }
          if (t.kind() == IssuedToken.Kind.ACCESS) {
            oauth.revokeToken(t.id(), now);
          } else {
            revoke(tx, grant, "revoked", "the app revoked its refresh token", now);
          }
          return null;
        });
  }

  /** A refusal that must be committed (a grant revoked on reuse), or tokens. */
  private record Outcome(IssuedTokens tokens, OAuthError refusal) {
    static Outcome issued(IssuedTokens tokens) {
      return new Outcome(tokens, null);
    }

    static Outcome refused(OAuthError refusal) {
      return new Outcome(null, refusal);
    }

    IssuedTokens get() {
      if (refusal != null) {
        throw refusal;
      }
      return tokens;
    }
  }

  private static IssuedTokens issue(OAuthStore oauth, Grant grant, Instant now) {
    String access = Tokens.newAccessToken();
    String refresh = Tokens.newRefreshToken();
    oauth.insertToken(
        grant.id(), IssuedToken.Kind.ACCESS, Tokens.hash(access), now.plus(ACCESS_LIFETIME), now);
    oauth.insertToken(
        grant.id(),
        IssuedToken.Kind.REFRESH,
        Tokens.hash(refresh),
        now.plus(REFRESH_LIFETIME),
        now);
    return new IssuedTokens(access, refresh, ACCESS_LIFETIME, grant.scopes(), grant.flowId());
  }

  /** Revokes a live grant with its tokens and sources, and records why; Backchannel acted. */
  private static void revoke(Tx tx, Grant grant, String action, String detail, Instant now) {
    OAuthStore oauth = tx.store(OAuthStore.class);
    if (oauth.revokeGrant(grant.id(), null, now)) {
      oauth.insertEvent(grant.workspaceId(), grant.id(), null, action, detail, now);
    }
  }

  /** Whether the grant's person may still give access: active, and in its flow if it has one. */
  private static boolean holds(Tx tx, Grant grant) {
    WorkspaceStore people = tx.store(WorkspaceStore.class);
    return people
        .user(grant.userId())
        .filter(User::isActive)
        .filter(u -> grant.flowId() == null || people.isMember(grant.flowId(), u.id()))
        .isPresent();
  }

  /**
   * The app the client authenticates as (RFC 6749 §2.3): {@code expected} when it carries that
   * app's client id, else any app with the client id given, so that a code or token presented by
   * another client is told apart from a failed authentication. A secret is the app's current one or
   * its pending one; none at all only for a public client.
   *
   * @throws OAuthError invalid_client when it authenticates as no app
   */
  private App authenticate(Tx tx, ClientCredentials creds, App expected) {
    if (creds == null || creds.clientId() == null || creds.clientId().isEmpty()) {
      throw OAuthError.invalidClient("client authentication is required");
    }
    AppStore apps = tx.store(AppStore.class);
    List<App> candidates =
        expected != null && expected.clientId().equals(creds.clientId())
            ? List.of(expected)
            : tx.store(OAuthStore.class).appsWithClientId(creds.clientId()).stream()
                .map(apps::app)
                .flatMap(Optional::stream)
                .toList();
    for (App app : candidates) {
      if (authenticates(tx, app, creds.secret())) {
        return app;
      }
    }
    throw OAuthError.invalidClient("client authentication failed");
  }

  private boolean authenticates(Tx tx, App app, String secret) {
    Optional<OAuthClient> client = tx.store(OAuthStore.class).client(app.id());
    if (client.isEmpty()) {
      return false; // not set up as an OAuth client
    }
    if (secret == null) {
      return client.get().publicClient();
    }
    AppStore apps = tx.store(AppStore.class);
    boolean current = same(box.open(apps.appSecretCiphertext(app.id())), secret);
    boolean pending =
        apps.pendingSecretCiphertext(app.id()).map(s -> same(box.open(s), secret)).orElse(false);
    return current | pending;
  }

  private static boolean same(String expected, String given) {
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }

  private static App app(Tx tx, User caller, long appId) {
    return tx.store(AppStore.class)
        .app(appId)
        .filter(a -> a.workspaceId() == caller.workspaceId())
        .orElseThrow(() -> new Problem.NotFound("app " + appId));
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
