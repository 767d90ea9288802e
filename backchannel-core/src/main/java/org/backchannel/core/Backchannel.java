package org.backchannel.core;

import java.time.Duration;
import java.time.InstantSource;
import org.backchannel.core.apps.Apps;
import org.backchannel.core.delivery.Deliveries;
import org.backchannel.core.delivery.DeliveryEngine;
import org.backchannel.core.delivery.HttpSender;
import org.backchannel.core.platform.Platform;
import org.backchannel.core.security.SecretBox;
import org.backchannel.core.store.Store;
import org.backchannel.core.threads.Threads;
import org.backchannel.core.workspace.Directory;

/** The services, wired by hand over one store, one sender and one clock. */
public final class Backchannel {
  /** Tunables with their defaults. */
  public record Settings(Duration interactiveTimeout) {
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(10));
    }
  }

  private final Directory directory;
  private final Apps apps;
  private final Threads threads;
  private final Deliveries deliveries;
  private final DeliveryEngine engine;
  private final Platform platform;

  public Backchannel(
      Store store, HttpSender sender, SecretBox box, InstantSource clock, Settings settings) {
    this.directory = new Directory(store, clock);
    this.apps = new Apps(store, box, directory, clock);
    this.engine = new DeliveryEngine(store, sender, box, clock, settings.interactiveTimeout());
    this.threads = new Threads(store, apps, directory, engine, clock);
    this.deliveries = new Deliveries(store);
    this.platform = new Platform(store, box, apps, directory, engine, clock);
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

  public DeliveryEngine engine() {
    return engine;
  }

  public Platform platform() {
    return platform;
  }
}
