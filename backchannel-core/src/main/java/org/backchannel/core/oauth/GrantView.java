package org.backchannel.core.oauth;

import org.backchannel.core.apps.App;
import org.backchannel.core.workspace.Flow;
import org.backchannel.core.workspace.User;

/**
 * A grant as people see it: the app it is for, the person who gave it, the flow it names (null when
 * its scopes reach no single flow) and, once revoked, who revoked it (null when Backchannel did,
 * say after a refresh token was used twice).
 */
public record GrantView(Grant grant, App app, User person, Flow flow, User revokedBy) {}
