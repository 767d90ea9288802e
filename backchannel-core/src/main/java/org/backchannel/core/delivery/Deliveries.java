package org.backchannel.core.delivery;

import java.util.List;
import org.backchannel.core.Page;
import org.backchannel.core.PageRequest;
import org.backchannel.core.Problem;
import org.backchannel.core.store.Store;
import org.backchannel.core.workspace.Directory;
import org.backchannel.core.workspace.User;

/** Reading the delivery log: admins see their workspace's; a person sees the calls they made. */
public final class Deliveries {
  private final Store store;

  public Deliveries(Store store) {
    this.store = store;
  }

  /** A delivery with every attempt, oldest first. */
  public record Detail(Delivery delivery, List<Attempt> attempts) {}

  public Page<Delivery> list(User caller, DeliveryFilter filter, PageRequest page) {
    Directory.requireAdmin(caller);
    if (filter.workspaceId() != caller.workspaceId()) {
      throw new Problem.NotFound("workspace " + filter.workspaceId());
    }
    return page.page(store.transaction(tx -> tx.deliveries(filter, page)), Delivery::id);
  }

  public Detail get(User caller, long deliveryId) {
    return store.transaction(
        tx -> {
          Delivery d =
              tx.delivery(deliveryId)
                  .filter(x -> x.workspaceId() == caller.workspaceId())
                  .filter(x -> caller.isAdmin() || Long.toString(caller.id()).equals(x.actorId()))
                  .orElseThrow(() -> new Problem.NotFound("delivery " + deliveryId));
          return new Detail(d, tx.attempts(deliveryId));
        });
  }
}
