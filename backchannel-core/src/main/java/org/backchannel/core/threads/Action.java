package org.backchannel.core.threads;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A thread action in schema.org's shape. {@link #json()} is the object as the app posted it
 * (validated), which is what an UpdateAction call sends back, enriched with the acting person.
 */
public sealed interface Action {
  String name();

  ObjectNode json();

  /** A request Backchannel sends to the app when a person selects it. */
  record Update(String name, String urlTemplate, String httpMethod, ObjectNode json)
      implements Action {}

  /** A link; Backchannel never calls it. */
  record View(String name, String url, ObjectNode json) implements Action {}
}
