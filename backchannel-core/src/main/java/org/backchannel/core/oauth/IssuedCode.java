package org.backchannel.core.oauth;

import java.time.Instant;

/**
 * An authorisation code as stored (its value only hashed): the grant it gives tokens for, the
 * redirect URI and PKCE challenge it is bound to, and whether it was used.
 */
public record IssuedCode(
    long grantId, String redirectUri, String codeChallenge, Instant expiresAt, Instant usedAt) {}
