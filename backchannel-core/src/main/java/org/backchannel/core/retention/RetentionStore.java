package org.backchannel.core.retention;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Storage of retention: workspaces' own retention, the purge itself, and the job's lease. */
public interface RetentionStore {
  /** A workspace and its own retention, or null when it keeps the server's. */
  record WorkspaceRetention(long workspaceId, Duration retention) {}

  /** What one purge transaction removed. */
  record Purged(int deliveries, int attempts, int bodies) {}

  /** Every workspace, with its own retention if an admin set one. */
  List<WorkspaceRetention> workspaces();

  /** A workspace's own retention, if an admin set one. */
  Optional<Duration> retention(long workspaceId);

  /** Sets a workspace's own retention; null goes back to the server's. */
  void setRetention(long workspaceId, Duration retention);

  /**
   * Takes or extends the lease on a job for {@code owner} until {@code until}, if nobody else holds
   * it now; whether {@code owner} holds it. In the caller's transaction, so work done in the same
   * transaction is done by the holder only.
   */
  boolean holdLease(String job, String owner, Instant now, Instant until);

  /** Gives the lease up, if {@code owner} holds it, so that another node may take it at once. */
  void releaseLease(String job, String owner);

  /**
   * Removes up to {@code limit} of a workspace's deliveries that finished (succeeded or failed)
   * before {@code finishedBefore}, oldest first, with their bodies and attempts, and adds them to
   * the counts the dashboard's chart reads. Deliveries in the queue (pending, sending) are never
   * touched; on PostgreSQL rows another transaction holds are skipped, not waited for.
   */
  Purged purge(long workspaceId, Instant finishedBefore, int limit);

  /**
   * Fails the calls a person waited on that began before {@code startedBefore} and are still being
   * sent: the node making them stopped mid-call, so nothing else will settle them. They then finish
   * and age out like any other delivery. How many.
   */
  int failCutShortCalls(Instant startedBefore, Instant now);

  /** Pages of the database file that are free (SQLite); 0 where the database reclaims its own. */
  long freePages();

  /**
   * Gives up to {@code pages} free pages back to the file system (SQLite's incremental vacuum); how
   * many it gave back. Does nothing where the database reclaims space by itself (PostgreSQL's
   * autovacuum).
   */
  long reclaim(int pages);
}
