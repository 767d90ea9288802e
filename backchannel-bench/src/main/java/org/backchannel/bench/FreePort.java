package org.backchannel.bench;

import java.io.IOException;

/** Prints a free TCP port on 127.0.0.1, for the servers bench/run starts. */
public final class FreePort {
  private FreePort() {}

  public static void main(String[] args) throws IOException {
    System.out.println(External.freePort());
  }
}
