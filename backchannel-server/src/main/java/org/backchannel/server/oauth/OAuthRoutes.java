package org.backchannel.server.oauth;

import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.GrantType;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.ResponseMode;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.as.AuthorizationServerMetadata;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.net.URI;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.backchannel.core.oauth.ClientCredentials;
import org.backchannel.core.oauth.IssuedTokens;
import org.backchannel.core.oauth.OAuthError;
import org.backchannel.core.wiring.Backchannel;
import org.backchannel.core.workspace.Scope;

/**
 * The OAuth 2.0 authorisation server's endpoints for apps: the token endpoint (RFC 6749 §3.2),
 * revocation (RFC 7009) and the server's metadata (RFC 8414). The Nimbus SDK reads each request and
 * writes each answer; {@link org.backchannel.core.oauth.Authorizations} decides. The authorisation
 * endpoint itself is a page: {@code AuthorizeWeb}.
 */
public final class OAuthRoutes {
  public static final String TOKEN = "/oauth/token";
  public static final String REVOKE = "/oauth/revoke";
  public static final String AUTHORIZE = "/oauth/authorize";
  public static final String METADATA = "/.well-known/oauth-authorization-server";

  private static final List<ClientAuthenticationMethod> AUTH_METHODS =
      List.of(
          ClientAuthenticationMethod.CLIENT_SECRET_BASIC,
          ClientAuthenticationMethod.CLIENT_SECRET_POST,
          ClientAuthenticationMethod.NONE);

  private final Backchannel bc;
  private final String publicUrl;

  /**
   * @param publicUrl the server's configured public URL, the issuer; null: the request's own
   */
  public OAuthRoutes(Backchannel bc, String publicUrl) {
    this.bc = bc;
    this.publicUrl = publicUrl;
  }

  public void register(RoutesConfig r) {
    r.post(TOKEN, this::token);
    r.post(REVOKE, this::revoke);
    r.get(METADATA, this::metadata);
  }

  /**
   * Where this server is reached: the configured public URL, else the request's scheme and host.
   */
  public static String issuer(String publicUrl, Context ctx) {
    return publicUrl != null ? publicUrl : ctx.scheme() + "://" + ctx.host();
  }

  private void token(Context ctx) {
    TokenRequest request;
    try {
      request = TokenRequest.parse(nimbus(ctx));
    } catch (ParseException e) {
      refuse(ctx, parseError(e));
      return;
    }
    ClientCredentials client =
        credentials(request.getClientAuthentication(), request.getClientID());
    IssuedTokens issued;
    try {
      issued =
          switch (request.getAuthorizationGrant()) {
            case AuthorizationCodeGrant code ->
                bc.authorizations()
                    .exchangeCode(
                        client,
                        code.getAuthorizationCode().getValue(),
                        code.getRedirectionURI() == null
                            ? null
                            : code.getRedirectionURI().toString(),
                        code.getCodeVerifier() == null ? null : code.getCodeVerifier().getValue());
            case RefreshTokenGrant refresh ->
                bc.authorizations()
                    .refresh(
                        client,
                        refresh.getRefreshToken().getValue(),
                        request.getScope() == null ? null : request.getScope().toString());
            default -> {
              refuse(
                  ctx,
                  OAuth2Error.UNSUPPORTED_GRANT_TYPE.setDescription(
                      "grant_type must be authorization_code or refresh_token"));
              yield null;
            }
          };
    } catch (OAuthError e) {
      refuse(ctx, errorObject(e));
      return;
    }
    if (issued == null) {
      return;
    }
    var tokens =
        new com.nimbusds.oauth2.sdk.token.Tokens(
            new BearerAccessToken(
                issued.accessToken(),
                issued.expiresIn().toSeconds(),
                com.nimbusds.oauth2.sdk.Scope.parse(Scope.format(issued.scopes()))),
            new RefreshToken(issued.refreshToken()));
    Map<String, Object> extra =
        issued.flowId() == null ? Map.of() : Map.of("flow_id", issued.flowId());
    answer(ctx, new AccessTokenResponse(tokens, extra).toHTTPResponse());
  }

  private void revoke(Context ctx) {
    TokenRevocationRequest request;
    try {
      request = TokenRevocationRequest.parse(nimbus(ctx));
    } catch (ParseException e) {
      refuse(ctx, parseError(e));
      return;
    }
    try {
      bc.authorizations()
          .revoke(
              credentials(request.getClientAuthentication(), request.getClientID()),
              request.getToken().getValue());
    } catch (OAuthError e) {
      refuse(ctx, errorObject(e));
      return;
    }
    // RFC 7009 §2.2: 200 whether or not there was such a token; nothing in the body.
    ctx.status(200).header("Cache-Control", "no-store");
  }

  private void metadata(Context ctx) {
    String base = issuer(publicUrl, ctx);
    AuthorizationServerMetadata m = new AuthorizationServerMetadata(new Issuer(base));
    m.setAuthorizationEndpointURI(URI.create(base + AUTHORIZE));
    m.setTokenEndpointURI(URI.create(base + TOKEN));
    m.setRevocationEndpointURI(URI.create(base + REVOKE));
    m.setScopes(
        new com.nimbusds.oauth2.sdk.Scope(
            Arrays.stream(Scope.values()).map(Scope::wire).toArray(String[]::new)));
    m.setResponseTypes(List.of(ResponseType.CODE));
    m.setResponseModes(List.of(ResponseMode.QUERY));
    m.setGrantTypes(List.of(GrantType.AUTHORIZATION_CODE, GrantType.REFRESH_TOKEN));
    m.setTokenEndpointAuthMethods(AUTH_METHODS);
    m.setRevocationEndpointAuthMethods(AUTH_METHODS);
    m.setCodeChallengeMethods(List.of(CodeChallengeMethod.S256));
    ctx.status(200).contentType("application/json").result(m.toJSONObject().toJSONString());
  }

  /**
   * The request as the SDK reads it: method, URL, the Authorization and Content-Type headers and
   * the body. Nothing else of it matters to these endpoints.
   */
  private static HTTPRequest nimbus(Context ctx) throws ParseException {
    HTTPRequest h =
        new HTTPRequest(HTTPRequest.Method.valueOf(ctx.method().name()), URI.create(ctx.url()));
    String type = ctx.header("Content-Type");
    if (type != null) {
      h.setContentType(type);
    }
    h.setAuthorization(ctx.header("Authorization"));
    h.setBody(ctx.body());
    return h;
  }

  /** A client's id and secret as it sent them (Basic or in the body), or its id alone. */
  private static ClientCredentials credentials(ClientAuthentication auth, ClientID id) {
    return switch (auth) {
      case ClientSecretBasic basic ->
          new ClientCredentials(basic.getClientID().getValue(), basic.getClientSecret().getValue());
      case ClientSecretPost post ->
          new ClientCredentials(post.getClientID().getValue(), post.getClientSecret().getValue());
      case null -> new ClientCredentials(id == null ? null : id.getValue(), null);
      default -> new ClientCredentials(null, null); // a method not offered: authenticates nobody
    };
  }

  private static ErrorObject parseError(ParseException e) {
    ErrorObject error = e.getErrorObject();
    if (error == null) {
      error = OAuth2Error.INVALID_REQUEST;
    }
    return new ErrorObject(
        error.getCode(),
        ErrorObject.removeIllegalChars(e.getMessage()),
        error.getHTTPStatusCode() == 0 ? 400 : error.getHTTPStatusCode());
  }

  static ErrorObject errorObject(OAuthError e) {
    int status = e.code().equals(OAuth2Error.INVALID_CLIENT.getCode()) ? 401 : 400;
    return new ErrorObject(e.code(), ErrorObject.removeIllegalChars(e.description()), status);
  }

  /**
   * An error as RFC 6749 §5.2 has it: JSON {@code error} and {@code error_description}, 400, or 401
   * with {@code WWW-Authenticate} when client authentication failed; never stored by a cache.
   */
  private static void refuse(Context ctx, ErrorObject error) {
    HTTPResponse response = new TokenErrorResponse(error).toHTTPResponse();
    if (response.getStatusCode() == 401) {
      response.setWWWAuthenticate("Basic realm=\"backchannel\"");
    }
    answer(ctx, response);
  }

  private static void answer(Context ctx, HTTPResponse response) {
    ctx.status(response.getStatusCode());
    response
        .getHeaderMap()
        .forEach(
            (name, values) -> {
              if (!name.equalsIgnoreCase("Content-Type")) {
                values.forEach(v -> ctx.res().addHeader(name, v));
              }
            });
    ctx.header("Cache-Control", "no-store");
    ctx.contentType("application/json;charset=UTF-8");
    ctx.result(response.getBody() == null ? "" : response.getBody());
  }
}
