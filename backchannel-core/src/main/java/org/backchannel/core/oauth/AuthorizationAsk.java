package org.backchannel.core.oauth;

/**
 * What an authorisation request asks (RFC 6749 §4.1.1, with RFC 7636's PKCE), as the HTTP layer
 * read it. Absent parameters are null; {@code state} is not here: the HTTP layer hands it back.
 *
 * @param scope the space-separated scopes, as sent
 */
public record AuthorizationAsk(
    String clientId,
    String redirectUri,
    String responseType,
    String scope,
    String codeChallenge,
    String codeChallengeMethod) {}
