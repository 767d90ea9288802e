package org.backchannel.core.threads;

/** A label and value shown on a thread, e.g. "Assignee": "ann". */
public record Field(String label, String value) {}
