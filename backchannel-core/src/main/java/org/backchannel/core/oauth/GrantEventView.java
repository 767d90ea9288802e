package org.backchannel.core.oauth;

import org.backchannel.core.workspace.User;

/**
 * One entry of the grants' record with what it is about: the grant (its app, person and flow) and
 * who acted ({@code actor}: null when Backchannel acted by itself).
 */
public record GrantEventView(GrantEvent event, GrantView grant, User actor) {}
