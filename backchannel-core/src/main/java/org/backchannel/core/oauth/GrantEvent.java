package org.backchannel.core.oauth;

import java.time.Instant;

/**
 * One entry of the grants' record: who ({@code actorId}, null when Backchannel acted by itself),
 * when, did what ({@code action}: granted, revoked, refresh_reused) to which grant.
 */
public record GrantEvent(
    long id, long grantId, Long actorId, String action, String detail, Instant at) {}
