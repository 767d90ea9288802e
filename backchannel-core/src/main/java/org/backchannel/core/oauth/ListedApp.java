package org.backchannel.core.oauth;

import org.backchannel.core.apps.App;

/**
 * An app of the workspace's directory (one an admin approved): how it presents itself and where a
 * person starts adding it ({@code installUrl}, on the app's own site; null if it has none).
 */
public record ListedApp(App app, String description, String installUrl) {}
