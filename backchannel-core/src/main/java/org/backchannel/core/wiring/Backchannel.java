package org.backchannel.core.wiring;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import org.backchannel.core.apps.Apps;
import org.backchannel.core.deliveries.Deliveries;
import org.backchannel.core.delivery.DeliveryEngine;
import org.backchannel.core.delivery.DeliveryWorker;
import org.backchannel.core.delivery.HttpSender;
import org.backchannel.core.delivery.Outbox;
import org.backchannel.core.delivery.RetryPolicy;
import org.backchannel.core.oauth.AccessTokens;
import org.backchannel.core.oauth.AppSources;
import org.backchannel.core.oauth.Authorizations;
import org.backchannel.core.oauth.Grants;
import org.backchannel.core.platform.Platform;
import org.backchannel.core.retention.Retention;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.security.Tokens;
import org.backchannel.core.store.Store;
import org.backchannel.core.threads.Threads;
import org.backchannel.core.workflows.Workflows;
import org.backchannel.core.workspace.Directory;

/** The services, wired by hand over one store, one sender and one clock. */
public final class Backchannel {
  /**
   * Tunables with their defaults.
   *
   * @param interactiveTimeout the whole bound for a call a person waits on
   * @param backgroundTimeout the whole bound for one attempt at a background delivery
   * @param retention how long finished deliveries are kept, and how the purge runs
   */
  public record Settings(
      Duration interactiveTimeout,
      Duration backgroundTimeout,
      RetryPolicy retry,
      DeliveryWorker.Settings worker,
      Retention.Settings retention) {
    /** With the default retention. */
    public Settings(
        Duration interactiveTimeout,
        Duration backgroundTimeout,
        RetryPolicy retry,
        DeliveryWorker.Settings worker) {
      this(interactiveTimeout, backgroundTimeout, retry, worker, Retention.Settings.defaults());
    }

    public static Settings defaults() {
      return new Settings(
          Duration.ofSeconds(10),
          Duration.ofSeconds(15),
          RetryPolicy.defaults(),
          DeliveryWorker.Settings.defaults("node-" + Tokens.hex(4)),
          Retention.Settings.defaults());
    }

    public Settings withInteractiveTimeout(Duration timeout) {
      return new Settings(timeout, backgroundTimeout, retry, worker, retention);
    }
  }

  private final Directory directory;
  private final Apps apps;
  private final Threads threads;
  private final Deliveries deliveries;
  private final DeliveryEngine engine;
  private final DeliveryWorker worker;
  private final Workflows workflows;
  private final Platform platform;
  private final Retention retention;
  private final AccessTokens accessTokens;
  private final Authorizations authorizations;
  private final Grants grants;
  private final AppSources appSources;

  public Backchannel(
      Store store, HttpSender sender, SecretBox box, InstantSource clock, Settings settings) {
    this.directory = new Directory(store, clock);
    this.apps = new Apps(store, box, directory, clock);
    this.engine =
        new DeliveryEngine(
            store,
            sender,
            box,
            clock,
            settings.interactiveTimeout(),
            settings.backgroundTimeout(),
            settings.retry(),
            new SecureRandom());
    this.worker = new DeliveryWorker(store, engine, clock, settings.worker());
    this.threads = new Threads(store, directory, engine, clock);
    Outbox outbox = new Outbox(clock);
    this.deliveries = new Deliveries(store, apps, outbox, clock);
    engine.onDisable(deliveries::announceDisabled);
    this.workflows = new Workflows(store, box, engine, clock);
    this.platform = new Platform(store, box, apps, directory, engine, outbox, clock);
    this.retention = new Retention(store, clock, settings.worker().node(), settings.retention());
    this.accessTokens = new AccessTokens(store, clock);
    this.authorizations = new Authorizations(store, box, directory, clock);
    this.grants = new Grants(store, box, directory, clock);
    directory.onDeparture(grants::revokeOnDeparture);
    this.appSources = new AppSources(store, box, directory, clock);
  }

  public Directory directory() {
    return directory;
  }

  public Apps apps() {
    return apps;
  }

  public Threads threads() {
    return threads;
  }

  public Deliveries deliveries() {
    return deliveries;
  }

  public Workflows workflows() {
    return workflows;
  }

  public DeliveryEngine engine() {
    return engine;
  }

  /** Sends background deliveries; {@link DeliveryWorker#drain()} sends what is due now. */
  public DeliveryWorker worker() {
    return worker;
  }

  public Platform platform() {
    return platform;
  }

  /** How long finished deliveries are kept; {@link Retention#start()} runs the purge. */
  public Retention retention() {
    return retention;
  }

  /** Who an app's OAuth access token acts for. */
  public AccessTokens accessTokens() {
    return accessTokens;
  }

  /** The OAuth 2.0 authorisation server's protocol logic. */
  public Authorizations authorizations() {
    return authorizations;
  }

  /** People's grants to apps, the install policy and the app directory. */
  public Grants grants() {
    return grants;
  }

  /** Sources apps make for themselves under a flow:post grant. */
  public AppSources appSources() {
    return appSources;
  }
}
