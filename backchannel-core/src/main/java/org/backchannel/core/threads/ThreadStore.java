package org.backchannel.core.threads;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.backchannel.core.PageRequest;

/** Storage of threads and messages. Lists return up to {@code limit + 1} rows, in page order. */
public interface ThreadStore {
  /**
   * The source's thread with this external id, held for this transaction's writes: another
   * transaction that asks for it waits until this one ends.
   */
  Optional<FlowThread> threadByExternalId(long sourceId, String externalThreadId);

  /**
   * A new thread; empty if the source has one with this external id already (another post made it
   * in a transaction that committed meanwhile).
   */
  Optional<FlowThread> insertThread(
      long flowId, long sourceId, String externalThreadId, ThreadData data, Instant now);

  FlowThread updateThread(long threadId, ThreadData data, Instant now);

  Optional<FlowThread> thread(long id);

  List<FlowThread> threads(long flowId, PageRequest page);

  /** Writes the messages in one statement; returns them as written, in the order given. */
  List<Message> insertMessages(List<NewMessage> messages);

  List<Message> messagesOfThread(long threadId, PageRequest page);

  List<Message> messagesOfFlow(long flowId, PageRequest page);
}
