package org.backchannel.core.platform;

import org.backchannel.core.apps.App;

/**
 * An app of a person's workspace that has a platform registration, so people can install and use
 * it, and whether this person has installed it.
 */
public record InstallableApp(App app, Registration registration, boolean installed) {}
