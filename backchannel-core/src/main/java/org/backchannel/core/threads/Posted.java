package org.backchannel.core.threads;

/** The message an app posted and the thread it landed in. */
public record Posted(Message message, FlowThread thread) {}
