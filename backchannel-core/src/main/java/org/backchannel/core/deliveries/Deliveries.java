package org.backchannel.core.deliveries;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.backchannel.core.Json;
import org.backchannel.core.Page;
import org.backchannel.core.PageRequest;
import org.backchannel.core.Problem;
import org.backchannel.core.Validation;
import org.backchannel.core.apps.App;
import org.backchannel.core.apps.AppStore;
import org.backchannel.core.apps.Apps;
import org.backchannel.core.delivery.Attempt;
import org.backchannel.core.delivery.Contract;
import org.backchannel.core.delivery.Delivery;
import org.backchannel.core.delivery.DeliveryCount;
import org.backchannel.core.delivery.DeliveryFilter;
import org.backchannel.core.delivery.DeliveryStore;
import org.backchannel.core.delivery.Endpoint;
import org.backchannel.core.delivery.NewDelivery;
import org.backchannel.core.delivery.Outbox;
import org.backchannel.core.store.CommitGroup;
import org.backchannel.core.store.Store;
import org.backchannel.core.store.Tx;
import org.backchannel.core.workspace.Directory;
import org.backchannel.core.workspace.User;
import org.backchannel.core.workspace.WorkspaceStore;

/**
 * The delivery log and its operations: reading deliveries and attempts, replaying them, managing
 * endpoints, and publishing native events to an app's endpoints. Admins see their workspace's
 * deliveries; a person sees the calls they made.
 */
public final class Deliveries {
  /** The most a native event's payload may weigh. */
  static final int MAX_EVENT_BYTES = 256 * 1024;

  static final int MAX_EVENT_TYPE = 100;
  // Compiled once: String.matches compiles its pattern on every call, once per published event.
  private static final Pattern EVENT_TYPE = Pattern.compile("[A-Za-z0-9_.:-]+");

  private final Store store;
  private final Apps apps;
  private final Outbox outbox;
  private final InstantSource clock;
  // Publishes from concurrent callers share statements and commits; each still answers only once
  // committed.
  private final CommitGroup<Publish, List<List<Delivery>>> publishes;

  public Deliveries(Store store, Apps apps, Outbox outbox, InstantSource clock) {
    this.store = store;
    this.publishes =
        new CommitGroup<>(
            store, MAX_BATCH, p -> p.events().size(), (tx, group) -> enqueue(tx, outbox, group));
    this.apps = apps;
    this.outbox = outbox;
    this.clock = clock;
  }

  /** A delivery with every attempt, oldest first. */
  public record Detail(Delivery delivery, List<Attempt> attempts) {}

  public Page<Delivery> list(User caller, DeliveryFilter filter, PageRequest page) {
    Directory.requireAdmin(caller);
    if (filter.workspaceId() != caller.workspaceId()) {
      throw new Problem.NotFound("workspace " + filter.workspaceId());
    }
    return page.page(
        store.read(tx -> tx.store(DeliveryStore.class).deliveries(filter, page)), Delivery::id);
  }

  /**
   * The workspace's deliveries per bucket from {@code since}: every bucket in order, empty ones
   * with zeros, so a chart has a bar for each.
   */
  public List<DeliveryCount> counts(User caller, Instant since, Duration bucket, int buckets) {
    Directory.requireAdmin(caller);
    if (bucket.isNegative() || bucket.isZero() || buckets < 1 || buckets > 1000) {
      throw Problem.Invalid.of("buckets", "must be 1 to 1000 buckets of a positive length");
    }
    Map<Instant, DeliveryCount> found = new HashMap<>();
    for (DeliveryCount c :
        store.read(
            tx ->
                tx.store(DeliveryStore.class)
                    .deliveryCounts(caller.workspaceId(), since, bucket, buckets))) {
      found.put(c.start(), c);
    }
    List<DeliveryCount> out = new ArrayList<>(buckets);
    for (int i = 0; i < buckets; i++) {
      Instant start = since.plus(bucket.multipliedBy(i));
      out.add(found.getOrDefault(start, new DeliveryCount(start, 0, 0)));
    }
    return out;
  }

  public Detail get(User caller, long deliveryId) {
    return store.read(
        tx -> {
          Delivery d =
              tx.store(DeliveryStore.class)
                  .delivery(deliveryId)
                  .filter(x -> x.workspaceId() == caller.workspaceId())
                  .filter(x -> caller.isAdmin() || actedBy(caller, x))
                  .orElseThrow(() -> gone(deliveryId));
          return new Detail(d, tx.store(DeliveryStore.class).attempts(deliveryId));
        });
  }

  /**
   * Sends a finished background delivery again, with the same {@code webhook-id} and body. A
   * person's own call (an UpdateAction) is not replayed: they press it again.
   */
  public Delivery replay(User caller, long deliveryId) {
    Directory.requireAdmin(caller);
    return store.transaction(
        tx -> {
          Delivery d = inWorkspace(tx, caller, deliveryId);
          if (d.interactive()) {
            throw new Problem.Conflict(
                "delivery " + deliveryId + " was a person's call; they can make it again");
          }
          if (!fitsEndpoint(tx, d)) {
            // Only an earlier version queued these, e.g. a native event on a Flock listener.
            throw new Problem.Conflict(
                "delivery "
                    + deliveryId
                    + " is a "
                    + d.contract().name().toLowerCase(java.util.Locale.ROOT)
                    + " call on endpoint "
                    + d.endpointId()
                    + ", which does not take them; it is never sent again");
          }
          if (!tx.store(DeliveryStore.class).requeue(deliveryId, clock.instant())) {
            throw new Problem.Conflict(
                "delivery "
                    + deliveryId
                    + " is still "
                    + d.state().name().toLowerCase(java.util.Locale.ROOT));
          }
          return tx.store(DeliveryStore.class).delivery(deliveryId).orElseThrow();
        });
  }

  /**
   * Sends again every failed delivery of an endpoint created since {@code since}; how many. Only
   * the calls its kind takes: a native event once queued to a Flock listener stays failed.
   */
  public int replayFailed(User caller, long endpointId, Instant since) {
    Endpoint endpoint = endpoint(caller, endpointId);
    return store.transaction(
        tx ->
            tx.store(DeliveryStore.class)
                .requeueFailed(
                    endpoint.id(),
                    endpoint.kind().contract(),
                    since == null ? Instant.EPOCH : since,
                    clock.instant()));
  }

  public List<Endpoint> endpoints(User caller) {
    Directory.requireAdmin(caller);
    return store.read(tx -> tx.store(DeliveryStore.class).endpoints(caller.workspaceId()));
  }

  public Endpoint endpoint(User caller, long endpointId) {
    Directory.requireAdmin(caller);
    return store
        .read(tx -> tx.store(DeliveryStore.class).endpoint(endpointId))
        .filter(e -> e.workspaceId() == caller.workspaceId())
        .orElseThrow(() -> new Problem.NotFound("endpoint " + endpointId));
  }

  /**
   * Adds (or finds) an app's endpoint for native events, with its settings. The URL of the app's
   * Flock event listener (or of one it had) is refused: that URL gets Flock events only.
   */
  public Endpoint createEndpoint(
      User caller, long appId, String url, Boolean fifo, Integer maxInFlight, List<String> types) {
    App app = apps.app(caller, appId);
    Validation v = new Validation();
    if (v.required("url", url)) {
      v.httpUrl("url", url);
      v.maxLength("url", url, 2048);
    }
    checkSettings(v, maxInFlight, types);
    v.throwIfInvalid();
    Endpoint e =
        store.transaction(
            tx ->
                tx.store(DeliveryStore.class)
                    .endpointFor(
                        app.workspaceId(), app.id(), url, Endpoint.Kind.WEBHOOK, clock.instant()));
    if (e.kind() != Endpoint.Kind.WEBHOOK) {
      throw new Problem.Conflict(
          "url is the Flock event listener of app "
              + app.id()
              + " (endpoint "
              + e.id()
              + "), which receives only the app's Flock events; native events need a URL of"
              + " their own");
    }
    return update(caller, e.id(), fifo, maxInFlight, types);
  }

  /**
   * Changes an endpoint's ordering, limit or subscriptions; null keeps what it had. A Flock event
   * listener has no subscriptions to change: native events never go to it.
   */
  public Endpoint update(
      User caller, long endpointId, Boolean fifo, Integer maxInFlight, List<String> types) {
    Endpoint e = endpoint(caller, endpointId);
    Validation v = new Validation();
    checkSettings(v, maxInFlight, types);
    if (types != null && e.kind() != Endpoint.Kind.WEBHOOK) {
      v.add(
          "event_types",
          "cannot be set on a flock_listener endpoint: it receives only its app's Flock events,"
              + " never native ones");
    }
    v.throwIfInvalid();
    return store.transaction(
        tx ->
            tx.store(DeliveryStore.class)
                .updateEndpoint(
                    e.id(),
                    fifo == null ? e.fifo() : fifo,
                    maxInFlight == null ? e.maxInFlight() : maxInFlight,
                    types == null ? e.eventTypes() : types,
                    clock.instant()));
  }

  /** Calls a disabled endpoint again; its waiting deliveries resume. */
  public Endpoint enable(User caller, long endpointId) {
    Endpoint e = endpoint(caller, endpointId);
    return store.transaction(
        tx -> {
          tx.store(DeliveryStore.class).enableEndpoint(e.id(), clock.instant());
          return tx.store(DeliveryStore.class).endpoint(e.id()).orElseThrow();
        });
  }

  /** The native event an app's other endpoints get when one of its endpoints is disabled. */
  public static final String ENDPOINT_DISABLED = "endpoint.disabled";

  /**
   * Queues {@value #ENDPOINT_DISABLED} for a just-disabled endpoint, in the transaction that
   * disabled it, on every other endpoint of its app subscribed to it (explicitly, or to all types);
   * never on the disabled endpoint itself.
   */
  public void announceDisabled(Tx tx, Endpoint disabled) {
    Instant now = clock.instant();
    ObjectNode data =
        JsonNodeFactory.instance
            .objectNode()
            .put("endpoint_id", disabled.id())
            .put("url", disabled.url())
            .put("reason", disabled.disabledReason())
            .put("disabled_at", disabled.disabledAt().toString())
            .put("app_id", disabled.appId());
    if (!(check(new NewEvent(ENDPOINT_DISABLED, data, null), now) instanceof Checked event)) {
      throw new IllegalStateException("the endpoint.disabled event does not pass its own checks");
    }
    App app = tx.store(AppStore.class).app(disabled.appId()).orElseThrow();
    List<Outbox.ForEndpoint> rows = new ArrayList<>();
    rows(
        app,
        tx.store(DeliveryStore.class).endpoints(app.workspaceId()),
        List.of(event),
        disabled.id(),
        rows);
    outbox.enqueueAll(tx, rows);
  }

  /**
   * The disabled endpoints of the caller's workspace, for its admins' attention (none for members):
   * the dashboard shows them on every page until they are enabled again.
   */
  public List<Endpoint> disabledEndpoints(User caller) {
    if (!caller.isAdmin()) {
      return List.of();
    }
    return store.read(tx -> tx.store(DeliveryStore.class).endpoints(caller.workspaceId())).stream()
        .filter(Endpoint::disabled)
        .toList();
  }

  /** Whom to tell that an endpoint was disabled: its app and its workspace's active admins. */
  public record DisabledNotice(Endpoint endpoint, App app, List<User> admins) {}

  /** What telling of a disabled endpoint needs, read once it is committed. */
  public DisabledNotice disabledNotice(Endpoint disabled) {
    return store.read(
        tx ->
            new DisabledNotice(
                disabled,
                tx.store(AppStore.class).app(disabled.appId()).orElseThrow(),
                tx.store(WorkspaceStore.class).users(disabled.workspaceId()).stream()
                    .filter(u -> u.isAdmin() && u.isActive())
                    .toList()));
  }

  /** The most events one batch may carry. */
  public static final int MAX_BATCH = 1000;

  /** One event to publish: its type, data and optional idempotency key. */
  public record NewEvent(String type, JsonNode data, String idempotencyKey) {}

  /**
   * What became of one published event: the deliveries it made (one per subscribed endpoint), or,
   * refused, the reasons by field and nothing written.
   */
  public record Published(List<Delivery> deliveries, Map<String, List<String>> errors) {
    public boolean accepted() {
      return errors.isEmpty();
    }
  }

  /**
   * Publishes a native event to every webhook endpoint of the app that subscribes to its type, as
   * background deliveries with the body {@code {"type", "timestamp", "data"}}. The same {@code
   * idempotencyKey} again returns the deliveries of the first call and sends nothing new. Returns
   * once they are committed; concurrent publishes share one commit.
   */
  public List<Delivery> publish(
      User caller, long appId, String type, JsonNode data, String idempotencyKey) {
    Directory.requireAdmin(caller);
    return switch (check(new NewEvent(type, data, idempotencyKey), clock.instant())) {
      case Refused r -> throw new Problem.Invalid(r.errors());
      case Checked c ->
          publishes.run(new Publish(caller, appId, List.of(c), Context.current())).get(0);
    };
  }

  /**
   * Publishes up to {@value #MAX_BATCH} events as {@link #publish} does one, answering for each in
   * order. Each event is checked on its own: a refused one is answered with its reasons and the
   * others still go. The accepted ones are committed together, in one transaction: all of them or,
   * if the store fails, none.
   */
  public List<Published> publishBatch(User caller, long appId, List<NewEvent> events) {
    Directory.requireAdmin(caller);
    if (events.isEmpty() || events.size() > MAX_BATCH) {
      throw Problem.Invalid.of("events", "must be 1 to " + MAX_BATCH + " events");
    }
    Instant now = clock.instant();
    List<Checking> checked = new ArrayList<>(events.size());
    List<Checked> accepted = new ArrayList<>(events.size());
    for (NewEvent e : events) {
      Checking c = check(e, now);
      checked.add(c);
      if (c instanceof Checked ok) {
        accepted.add(ok);
      }
    }
    if (accepted.isEmpty()) {
      apps.app(caller, appId); // nothing to write, but an app that is not the caller's is not found
    }
    List<List<Delivery>> made =
        accepted.isEmpty()
            ? List.of()
            : publishes.run(new Publish(caller, appId, accepted, Context.current()));
    List<Published> out = new ArrayList<>(events.size());
    int next = 0;
    for (Checking c : checked) {
      out.add(
          switch (c) {
            case Refused r -> new Published(List.of(), r.errors());
            case Checked ok -> new Published(made.get(next++), Map.of());
          });
    }
    return out;
  }

  /** An event checked: {@link Checked} to send, or {@link Refused}. */
  private sealed interface Checking {}

  /** An event that passed its checks, with the exact body its deliveries carry. */
  private record Checked(String type, byte[] body, String idempotencyKey) implements Checking {}

  /** An event refused, with the reasons by field. */
  private record Refused(Map<String, List<String>> errors) implements Checking {}

  private static Checking check(NewEvent e, Instant now) {
    Validation v = new Validation();
    if (v.required("type", e.type())) {
      checkEventType(v, "type", e.type());
    }
    if (e.data() == null || e.data().isNull()) {
      v.add("data", "is required");
    }
    String key = e.idempotencyKey();
    if (key != null && (key.isBlank() || key.length() > 200)) {
      v.add("Idempotency-Key", "must be 1 to 200 characters");
    }
    if (!v.ok()) {
      return new Refused(v.errors());
    }
    ObjectNode body =
        JsonNodeFactory.instance
            .objectNode()
            .put("type", e.type())
            .put("timestamp", now.toString());
    body.set("data", e.data());
    byte[] bytes = Json.bytes(body);
    if (bytes.length > MAX_EVENT_BYTES) {
      return new Refused(
          Map.of("data", List.of("must be at most " + MAX_EVENT_BYTES + " bytes as JSON")));
    }
    return new Checked(e.type(), bytes, key);
  }

  /**
   * One caller's checked events for one app, with the trace context the caller is in, so the
   * deliveries it queues belong to its request whoever's thread writes them.
   */
  private record Publish(User caller, long appId, List<Checked> events, Context context) {}

  /**
   * Queues the events of many publishes, each on every webhook endpoint of its app subscribed to
   * its type (never on a Flock event listener), in a few multi-row statements: each app and each
   * workspace's endpoints are read once. The app is read in the same transaction, which saves
   * publishing a read of its own. Per publish, per event, in order.
   */
  private static List<List<List<Delivery>>> enqueue(Tx tx, Outbox outbox, List<Publish> publishes) {
    Map<Long, App> apps = new HashMap<>();
    Map<Long, List<Endpoint>> endpoints = new HashMap<>();
    List<Outbox.ForEndpoint> rows = new ArrayList<>();
    List<int[]> counts = new ArrayList<>(publishes.size());
    for (Publish p : publishes) {
      App app =
          apps.computeIfAbsent(p.appId(), id -> tx.store(AppStore.class).app(id).orElse(null));
      if (app == null || app.workspaceId() != p.caller().workspaceId()) {
        throw new Problem.NotFound("app " + p.appId());
      }
      List<Endpoint> ofWorkspace =
          endpoints.computeIfAbsent(
              app.workspaceId(), ws -> tx.store(DeliveryStore.class).endpoints(ws));
      try (Scope ignored = p.context().makeCurrent()) {
        counts.add(rows(app, ofWorkspace, p.events(), 0, rows));
      }
    }
    List<Delivery> made = outbox.enqueueAll(tx, rows);
    List<List<List<Delivery>>> out = new ArrayList<>(publishes.size());
    int from = 0;
    for (int[] perEvent : counts) {
      List<List<Delivery>> one = new ArrayList<>(perEvent.length);
      for (int n : perEvent) {
        one.add(made.subList(from, from + n));
        from += n;
      }
      out.add(one);
    }
    return out;
  }

  /**
   * The fan-out itself: each event on every endpoint of {@code app} (among {@code endpoints})
   * subscribed to its type, except the endpoint {@code except} (0: none), added to {@code into};
   * returns how many deliveries each event made.
   */
  private static int[] rows(
      App app,
      List<Endpoint> endpoints,
      List<Checked> events,
      long except,
      List<Outbox.ForEndpoint> into) {
    int[] counts = new int[events.size()];
    for (int i = 0; i < events.size(); i++) {
      Checked c = events.get(i);
      for (Endpoint e : endpoints) {
        if (e.appId() != app.id() || !e.subscribes(c.type()) || e.id() == except) {
          continue;
        }
        counts[i]++;
        into.add(
            new Outbox.ForEndpoint(
                e,
                new NewDelivery(
                    app.workspaceId(),
                    app.id(),
                    Contract.NATIVE,
                    c.type(),
                    "POST",
                    e.url(),
                    null,
                    c.body(),
                    null,
                    c.idempotencyKey() == null ? null : c.idempotencyKey() + ":" + e.id())));
      }
    }
    return counts;
  }

  private static void checkSettings(Validation v, Integer maxInFlight, List<String> types) {
    if (maxInFlight != null && (maxInFlight < 1 || maxInFlight > 1000)) {
      v.add("max_in_flight", "must be between 1 and 1000");
    }
    if (types != null && types.stream().anyMatch(t -> t == null || t.isBlank())) {
      v.add("event_types", "must be a list of event type names");
    } else if (types != null) {
      // The names publishing accepts, so a subscription can match and shows safely.
      for (String t : types) {
        if (!checkEventType(v, "event_types", t)) {
          break; // one reason is enough
        }
      }
    }
  }

  /** Whether a name is at most 100 letters, digits, '.', '_', ':' or '-'; says why not in v. */
  private static boolean checkEventType(Validation v, String field, String type) {
    if (type.length() > MAX_EVENT_TYPE) {
      v.add(field, "must be at most " + MAX_EVENT_TYPE + " characters");
      return false;
    }
    if (!EVENT_TYPE.matcher(type).matches()) {
      v.add(field, "must be letters, digits, '.', '_', ':' or '-'");
      return false;
    }
    return true;
  }

  /** Whether the delivery was made for the caller. */
  private static boolean actedBy(User caller, Delivery d) {
    return d.actorUserId() != null && d.actorUserId() == caller.id();
  }

  /** Whether a background delivery's endpoint (if it has one) takes calls of its contract. */
  private static boolean fitsEndpoint(Tx tx, Delivery d) {
    return d.endpointId() == null
        || tx.store(DeliveryStore.class)
            .endpoint(d.endpointId())
            .map(e -> e.carries(d.contract()))
            .orElse(true);
  }

  private static Delivery inWorkspace(Tx tx, User caller, long deliveryId) {
    return tx.store(DeliveryStore.class)
        .delivery(deliveryId)
        .filter(x -> x.workspaceId() == caller.workspaceId())
        .orElseThrow(() -> gone(deliveryId));
  }

  /**
   * A delivery that is not there: it never was (for the caller), or it finished longer ago than the
   * workspace's retention and was removed. Ids are not reused, so a link to it stays dead.
   */
  private static Problem.NotFound gone(long deliveryId) {
    return new Problem.NotFound(
        "delivery " + deliveryId,
        "finished deliveries are removed once they are older than the workspace's retention");
  }
}
