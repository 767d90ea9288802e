package org.backchannel.core.retention;

/** Told of every purge transaction and every reclaimed step, for metrics. Quick, never throws. */
public interface PurgeObserver {
  PurgeObserver NONE =
      new PurgeObserver() {
        @Override
        public void purged(RetentionStore.Purged batch) {}

        @Override
        public void reclaimed(long pages) {}
      };

  void purged(RetentionStore.Purged batch);

  void reclaimed(long pages);
}
