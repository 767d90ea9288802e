package org.backchannel.core.apps;

/**
 * What signing needs of an app, read in one statement: its client id and its secrets as stored
 * (encrypted): the current one, the pending one (issued, not yet activated) and the one it replaced
 * while that is still valid; the last two null when there is none.
 */
public record SealedSecrets(String clientId, String current, String pending, String previous) {}
