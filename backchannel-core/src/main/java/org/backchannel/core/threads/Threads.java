package org.backchannel.core.threads;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.backchannel.core.Json;
import org.backchannel.core.Page;
import org.backchannel.core.PageRequest;
import org.backchannel.core.Problem;
import org.backchannel.core.Validation;
import org.backchannel.core.apps.AppStore;
import org.backchannel.core.apps.Apps;
import org.backchannel.core.apps.Source;
import org.backchannel.core.delivery.Contract;
import org.backchannel.core.delivery.Delivered;
import org.backchannel.core.delivery.DeliveryEngine;
import org.backchannel.core.delivery.NewDelivery;
import org.backchannel.core.store.CommitGroup;
import org.backchannel.core.store.Store;
import org.backchannel.core.store.Tx;
import org.backchannel.core.workspace.Directory;
import org.backchannel.core.workspace.User;

/** Apps post into threads; members read them and select their actions. */
public final class Threads {
  private final Store store;
  private final Directory directory;
  private final DeliveryEngine engine;
  private final InstantSource clock;
  // Posts from concurrent callers share one transaction; each still answers once committed.
  private final CommitGroup<Post, Posted> posts;

  public Threads(Store store, Directory directory, DeliveryEngine engine, InstantSource clock) {
    this.store = store;
    this.directory = directory;
    this.engine = engine;
    this.clock = clock;
    this.posts = new CommitGroup<>(store, 256, p -> 1, Threads::write);
  }

  /** One {@code POST /messages} call, as it came, and when. */
  private record Post(String flowToken, JsonNode body, Instant at) {}

  /**
   * {@code POST /messages}: authenticates the flow token, checks the body, and stores the message
   * in its thread, creating or updating the thread from the {@code thread} object.
   */
  public Posted post(String flowToken, JsonNode body) {
    return posts.run(new Post(flowToken, body, clock.instant()));
  }

  /**
   * What the posts of one transaction read, each read once: an app posting many messages at once
   * uses one flow token, often into one thread, and the token's lookup was the largest part of a
   * post's cost. Nothing else writes in the transaction, so what it holds stays true in it.
   */
  private static final class GroupReads {
    private final Tx tx;
    private final Map<String, Source> sources = new HashMap<>();
    private final Map<Map.Entry<Long, String>, FlowThread> threads = new HashMap<>();

    GroupReads(Tx tx) {
      this.tx = tx;
    }

    Source source(String flowToken) {
      Source known = sources.get(flowToken);
      if (known == null) {
        known = Apps.sourceForToken(tx, flowToken); // throws for a bad token: nothing kept
        sources.put(flowToken, known);
      }
      return known;
    }

    Optional<FlowThread> thread(Source source, String externalId) {
      var key = Map.entry(source.id(), externalId);
      FlowThread known = threads.get(key);
      return known != null
          ? Optional.of(known)
          : tx.store(ThreadStore.class).threadByExternalId(source.id(), externalId);
    }

    void wrote(Source source, String externalId, FlowThread thread) {
      threads.put(Map.entry(source.id(), externalId), thread);
    }
  }

  /**
   * Writes the posts of one transaction: each post's thread in turn (a later post sees what an
   * earlier one did to it), then all their messages in one statement, whose per-statement cost was
   * a third of a post's.
   */
  private static List<Posted> write(Tx tx, List<Post> group) {
    GroupReads reads = new GroupReads(tx);
    List<NewMessage> messages = new ArrayList<>(group.size());
    List<FlowThread> threads = new ArrayList<>(group.size());
    for (Post p : group) {
      Source source = reads.source(p.flowToken());
      MessagePost post = MessagePost.parse(p.body());
      FlowThread thread = upsertThread(reads, source, post, p.at());
      reads.wrote(source, post.externalThreadId(), thread);
      threads.add(thread);
      messages.add(
          new NewMessage(
              source.flowId(),
              thread.id(),
              source.id(),
              null,
              post.event(),
              post.author(),
              post.title(),
              post.body(),
              p.at()));
    }
    List<Message> written = tx.store(ThreadStore.class).insertMessages(messages);
    List<Posted> out = new ArrayList<>(group.size());
    for (int i = 0; i < group.size(); i++) {
      out.add(new Posted(written.get(i), threads.get(i)));
    }
    return out;
  }

  private static FlowThread upsertThread(
      GroupReads reads, Source source, MessagePost post, Instant now) {
    ThreadStore threads = reads.tx.store(ThreadStore.class);
    Optional<FlowThread> existing = reads.thread(source, post.externalThreadId());
    if (existing.isEmpty()) {
      if (post.thread() == null) {
        throw Problem.Invalid.of(
            "thread", "is required: no thread has this external_thread_id yet");
      }
      ThreadData data = checked(post.thread());
      if (data.title() == null || data.title().isBlank()) {
        throw Problem.Invalid.of("thread.title", "is required to start a thread");
      }
      Optional<FlowThread> made =
          threads.insertThread(source.flowId(), source.id(), post.externalThreadId(), data, now);
      if (made.isPresent()) {
        return made.get();
      }
      // A concurrent post made it first: this one updates it, as if it had come second.
      existing = threads.threadByExternalId(source.id(), post.externalThreadId());
    }
    FlowThread current = existing.orElseThrow();
    if (post.thread() == null) {
      return current;
    }
    // Members the app sent replace the stored ones; members it left out stay as they were.
    ObjectNode merged = ThreadJson.toJson(current.data());
    merged.setAll(post.thread());
    merged.properties().removeIf(e -> e.getValue().isNull());
    return threads.updateThread(current.id(), checked(merged), now);
  }

  private static ThreadData checked(ObjectNode thread) {
    Validation v = new Validation();
    ThreadData data = ThreadJson.parse(thread, "thread", v);
    v.throwIfInvalid();
    return data;
  }

  public Page<FlowThread> threads(User caller, long flowId, PageRequest page) {
    directory.memberFlow(caller, flowId);
    return page.page(
        store.read(tx -> tx.store(ThreadStore.class).threads(flowId, page)), FlowThread::id);
  }

  /** A thread in a flow the caller belongs to; any other does not exist for them. */
  public FlowThread thread(User caller, long threadId) {
    return store.read(tx -> thread(tx, caller, threadId));
  }

  private static FlowThread thread(Tx tx, User caller, long threadId) {
    FlowThread thread =
        tx.store(ThreadStore.class)
            .thread(threadId)
            .orElseThrow(() -> new Problem.NotFound("thread " + threadId));
    try {
      Directory.memberFlow(tx, caller, thread.flowId());
    } catch (Problem.NotFound e) {
      throw new Problem.NotFound("thread " + threadId);
    }
    return thread;
  }

  public Page<Message> threadMessages(User caller, long threadId, PageRequest page) {
    thread(caller, threadId);
    return page.page(
        store.read(tx -> tx.store(ThreadStore.class).messagesOfThread(threadId, page)),
        Message::id);
  }

  public Page<Message> flowMessages(User caller, long flowId, PageRequest page) {
    directory.memberFlow(caller, flowId);
    return page.page(
        store.read(tx -> tx.store(ThreadStore.class).messagesOfFlow(flowId, page)), Message::id);
  }

  /**
   * A member selects action {@code index} of a thread. A ViewAction is a link and nothing is sent;
   * an UpdateAction calls the app now, signed, and reports what it answered.
   */
  public ActionResult selectAction(User caller, long threadId, int index) {
    // The thread, the caller's membership and the app it came from, in one read.
    Map.Entry<FlowThread, Source> found =
        store.read(
            tx -> {
              FlowThread t = thread(tx, caller, threadId);
              return Map.entry(t, tx.store(AppStore.class).source(t.sourceId()).orElseThrow());
            });
    List<Action> actions = found.getKey().data().actions();
    if (index < 0 || index >= actions.size()) {
      throw new Problem.NotFound("action " + index + " of thread " + threadId);
    }
    return switch (actions.get(index)) {
      case Action.View view -> new ActionResult.Link(view.url());
      case Action.Update update -> call(caller, found.getValue().appId(), update);
    };
  }

  private ActionResult call(User caller, long appId, Action.Update update) {
    ObjectNode body = update.json().deepCopy();
    ObjectNode agent = body.putObject("agent");
    agent.put("@type", "Person").put("name", caller.name());
    if (caller.avatar() != null) {
      agent.put("image", caller.avatar());
    }
    Delivered delivered =
        engine.callNow(
            new NewDelivery(
                caller.workspaceId(),
                appId,
                Contract.FLOWDOCK,
                "update_action",
                update.httpMethod(),
                update.urlTemplate(),
                caller.id(),
                Json.bytes(body)));
    return new ActionResult.Called(delivered.outcome(), delivered.delivery().id());
  }
}
