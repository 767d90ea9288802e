package org.backchannel.server;

import com.github.scribejava.core.builder.ServiceBuilder;
import com.github.scribejava.core.builder.api.DefaultApi20;
import com.github.scribejava.core.model.OAuth2AccessToken;
import com.github.scribejava.core.model.OAuth2AccessTokenErrorResponse;
import com.github.scribejava.core.model.OAuth2Authorization;
import com.github.scribejava.core.oauth.AccessTokenRequestParams;
import com.github.scribejava.core.oauth.AuthorizationUrlBuilder;
import com.github.scribejava.core.oauth.OAuth20Service;
import com.github.scribejava.core.oauth2.clientauthentication.ClientAuthentication;
import com.github.scribejava.core.oauth2.clientauthentication.HttpBasicAuthenticationScheme;
import com.github.scribejava.core.oauth2.clientauthentication.RequestBodyAuthenticationScheme;
import com.github.scribejava.core.pkce.PKCE;
import com.github.scribejava.core.revoke.TokenTypeHint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.concurrent.ExecutionException;

/**
 * The app's side of the OAuth 2.0 code flow in tests, done by ScribeJava, a client library that is
 * not ours: it builds the authorisation link, reads the code from where the person's browser was
 * sent back, exchanges it (client_secret_basic or client_secret_post, or as a public client with
 * its id alone), refreshes and revokes.
 */
final class OAuthApp {
  /** How a confidential client sends its secret, or none for a public client. */
  enum Auth {
    BASIC,
    POST,
    PUBLIC
  }

  /** Backchannel's endpoints as ScribeJava's API description. */
  private static final class BackchannelApi extends DefaultApi20 {
    private final URI server;
    private final ClientAuthentication auth;

    BackchannelApi(URI server, ClientAuthentication auth) {
      this.server = server;
      this.auth = auth;
    }

    @Override
    public String getAccessTokenEndpoint() {
      return server.resolve("/oauth/token").toString();
    }

    @Override
    protected String getAuthorizationBaseUrl() {
      return server.resolve("/oauth/authorize").toString();
    }

    @Override
    public String getRevokeTokenEndpoint() {
      return server.resolve("/oauth/revoke").toString();
    }

    @Override
    public ClientAuthentication getClientAuthentication() {
      return auth;
    }
  }

  /** An authorisation link and the PKCE verifier that goes with it (null without PKCE). */
  record Link(String url, String state, String verifier) {}

  final OAuth20Service service;
  final String redirectUri;

  OAuthApp(URI server, String clientId, String secret, String redirectUri, Auth auth) {
    this.redirectUri = redirectUri;
    ServiceBuilder b = new ServiceBuilder(clientId).callback(redirectUri);
    if (auth != Auth.PUBLIC) {
      b.apiSecret(secret);
    }
    this.service =
        b.defaultScope("flow:post user:read")
            .build(
                new BackchannelApi(
                    server,
                    auth == Auth.BASIC
                        ? HttpBasicAuthenticationScheme.instance()
                        : RequestBodyAuthenticationScheme.instance()));
  }

  Link link(String state, boolean pkce) {
    AuthorizationUrlBuilder b = service.createAuthorizationUrlBuilder().state(state);
    if (pkce) {
      b.initPKCE();
    }
    PKCE p = b.getPkce();
    return new Link(b.build(), state, p == null ? null : p.getCodeVerifier());
  }

  /** The code and state in the URI the person's browser was sent back to. */
  OAuth2Authorization callback(URI location) {
    return service.extractAuthorization(location.toString());
  }

  OAuth2AccessToken exchange(String code, String verifier) {
    AccessTokenRequestParams params = AccessTokenRequestParams.create(code);
    if (verifier != null) {
      params.pkceCodeVerifier(verifier);
    }
    return call(() -> service.getAccessToken(params));
  }

  OAuth2AccessToken refresh(String refreshToken) {
    return call(() -> service.refreshAccessToken(refreshToken));
  }

  OAuth2AccessToken refresh(String refreshToken, String scope) {
    return call(() -> service.refreshAccessToken(refreshToken, scope));
  }

  void revoke(String token, TokenTypeHint hint) {
    call(
        () -> {
          service.revokeToken(token, hint);
          return null;
        });
  }

  /** The error code of a refused call, such as {@code invalid_grant}. */
  static String refusal(Runnable call) {
    try {
      call.run();
    } catch (Refused e) {
      return e.error.getError().getErrorString();
    }
    throw new AssertionError("the call was not refused");
  }

  /** A token endpoint refusal, as ScribeJava read it. */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient OAuth2AccessTokenErrorResponse error;

    Refused(OAuth2AccessTokenErrorResponse error) {
      super(error.getError().getErrorString() + ": " + error.getErrorDescription(), error);
      this.error = error;
    }
  }

  private interface Call<T> {
    T run() throws IOException, InterruptedException, ExecutionException;
  }

  private static <T> T call(Call<T> call) {
    try {
      return call.run();
    } catch (OAuth2AccessTokenErrorResponse e) {
      throw new Refused(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }
}
