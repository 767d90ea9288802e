package org.backchannel.core.workflows;

/** A stage tasks move through; a task in an end stage is no longer active. */
public record Stage(String name, boolean end) {}
