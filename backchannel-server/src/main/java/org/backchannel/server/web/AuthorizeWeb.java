package org.backchannel.server.web;

import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationErrorResponse;
import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.AuthorizationSuccessResponse;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.OAuth2Error;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseMode;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.backchannel.core.Problem;
import org.backchannel.core.oauth.AuthorizationAsk;
import org.backchannel.core.oauth.Consent;
import org.backchannel.core.oauth.OAuthError;
import org.backchannel.core.wiring.Backchannel;
import org.backchannel.core.workspace.User;

/**
 * The OAuth 2.0 authorisation endpoint (RFC 6749 §3.1, §4.1.1): an app sends a person here; they
 * sign in if they must, see what the app asks for on a consent page, pick a flow for a flow-scoped
 * grant, and allow or deny. The answer goes back to the app's registered redirect URI with a code
 * or an error, and the request's {@code state}. A request whose client or redirect URI is not valid
 * is shown as a page and never redirected (§4.1.2.1). The Nimbus SDK reads the request and writes
 * the redirect; {@link org.backchannel.core.oauth.Authorizations} decides.
 */
final class AuthorizeWeb implements WebArea {
  static final String PATH = "/oauth/authorize";
  // The consent form's own fields, besides the request's parameters it carries.
  private static final Set<String> FORM_FIELDS = Set.of("csrf", "decision", "flow");

  private final Backchannel bc;
  private Guard guard;

  AuthorizeWeb(Backchannel bc) {
    this.bc = bc;
  }

  @Override
  public void register(RoutesConfig r, Guard guard) {
    this.guard = guard;
    r.get(PATH, guard.open(this::ask));
    r.post(PATH, guard.signedIn(this::decide));
  }

  /** The request as the app sent it, read by the SDK, or why it could not be read. */
  private record Read(
      AuthorizationRequest request, ParseException failure, String clientId, URI redirect) {
    State state() {
      return request != null ? request.getState() : failure.getState();
    }

    AuthorizationAsk ask() {
      return new AuthorizationAsk(
          clientId,
          redirect.toString(),
          request.getResponseType() == null ? null : request.getResponseType().toString(),
          request.getScope() == null ? null : request.getScope().toString(),
          request.getCodeChallenge() == null ? null : request.getCodeChallenge().getValue(),
          request.getCodeChallengeMethod() == null
              ? null
              : request.getCodeChallengeMethod().getValue());
    }
  }

  private static Read read(Map<String, List<String>> params) {
    try {
      AuthorizationRequest request = AuthorizationRequest.parse(params);
      return new Read(request, null, value(request.getClientID()), request.getRedirectionURI());
    } catch (ParseException e) {
      return new Read(null, e, value(e.getClientID()), e.getRedirectionURI());
    }
  }

  private static String value(ClientID id) {
    return id == null ? null : id.getValue();
  }

  /**
   * Refuses, as a page, a request without a client id or redirect URI the SDK could read: nothing
   * can be sent back.
   */
  private static void requireReadable(Map<String, List<String>> params, Read read) {
    if (read.clientId() == null) {
      throw Problem.Invalid.of(
          "client_id", params.containsKey("client_id") ? "is not valid" : "is required");
    }
    if (read.redirect() == null) {
      throw Problem.Invalid.of(
          "redirect_uri",
          params.containsKey("redirect_uri") ? "is not a valid URI" : "is required");
    }
  }

  private void ask(Context ctx) {
    Map<String, List<String>> params = ctx.queryParamMap();
    Read read = read(params);
    requireReadable(params, read);
    Optional<Session> session = guard.session(ctx);
    // The client and its redirect URI first: until they hold, nothing goes back to the app.
    if (session.isPresent()) {
      bc.authorizations()
          .checkRedirect(session.get().user(), read.clientId(), read.redirect().toString());
    } else {
      bc.authorizations().checkClient(read.clientId(), read.redirect().toString());
    }
    if (read.failure() != null) {
      sendError(ctx, read, parseError(read.failure()));
      return;
    }
    if (read.request().specifiesRequestObject()) {
      sendError(
          ctx, read, OAuth2Error.INVALID_REQUEST.setDescription("request objects are not taken"));
      return;
    }
    if (session.isEmpty()) {
      ctx.redirect(Guard.signInPath(ctx), HttpStatus.SEE_OTHER);
      return;
    }
    Session s = session.get();
    Consent consent;
    try {
      consent = bc.authorizations().consent(s.user(), read.ask());
    } catch (OAuthError e) {
      sendError(ctx, read, errorObject(e));
      return;
    }
    // The form's answer leads to the app's redirect URI: the page's policy must let it go there.
    ctx.header(
        "Content-Security-Policy",
        Guard.CSP.replace("form-action 'self'", "form-action 'self' " + origin(read.redirect())));
    Map<String, String> carried = new LinkedHashMap<>();
    params.forEach(
        (name, values) -> {
          if (!FORM_FIELDS.contains(name) && !values.isEmpty()) {
            carried.put(name, values.getFirst());
          }
        });
    Guard.html(ctx, 200, (out, in) -> JteconsentGenerated.render(out, in, s, consent, carried));
  }

  private void decide(Context ctx, Session s) {
    guard.requireCsrf(ctx, s);
    Map<String, List<String>> params = new LinkedHashMap<>(ctx.formParamMap());
    String decision = ctx.formParam("decision");
    String flow = Requests.blankToNull(ctx.formParam("flow"));
    params.keySet().removeAll(FORM_FIELDS);
    Read read = read(params);
    requireReadable(params, read);
    User person = s.user();
    bc.authorizations().checkRedirect(person, read.clientId(), read.redirect().toString());
    if (read.failure() != null) {
      sendError(ctx, read, parseError(read.failure()));
      return;
    }
    if (!"allow".equals(decision)) {
      sendError(
          ctx, read, OAuth2Error.ACCESS_DENIED.setDescription("the person did not allow the app"));
      return;
    }
    Long flowId = null;
    if (flow != null) {
      try {
        flowId = Long.parseLong(flow.strip());
      } catch (NumberFormatException e) {
        throw Problem.Invalid.of("flow", "must be a flow's id");
      }
    }
    String code;
    try {
      code = bc.authorizations().approve(person, read.ask(), flowId);
    } catch (OAuthError e) {
      sendError(ctx, read, errorObject(e));
      return;
    }
    URI to =
        new AuthorizationSuccessResponse(
                read.redirect(),
                new AuthorizationCode(code),
                null,
                read.state(),
                ResponseMode.QUERY)
            .toURI();
    ctx.redirect(to.toString(), HttpStatus.SEE_OTHER);
  }

  /** Sends an error back to the (checked) redirect URI, with the state (§4.1.2.1). */
  private static void sendError(Context ctx, Read read, ErrorObject error) {
    URI to =
        new AuthorizationErrorResponse(read.redirect(), error, read.state(), ResponseMode.QUERY)
            .toURI();
    ctx.redirect(to.toString(), HttpStatus.SEE_OTHER);
  }

  private static ErrorObject parseError(ParseException e) {
    ErrorObject error =
        e.getErrorObject() == null ? OAuth2Error.INVALID_REQUEST : e.getErrorObject();
    return error.setDescription(ErrorObject.removeIllegalChars(e.getMessage()));
  }

  private static ErrorObject errorObject(OAuthError e) {
    return new ErrorObject(e.code(), ErrorObject.removeIllegalChars(e.description()));
  }

  /** The scheme, host and port of a URI, as a Content-Security-Policy source. */
  static String origin(URI uri) {
    return uri.getScheme()
        + "://"
        + uri.getRawAuthority().substring(uri.getRawAuthority().indexOf('@') + 1);
  }
}
