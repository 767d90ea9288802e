package org.backchannel.bench;

/**
 * The receiver as a process of its own, for the outside-in mode: {@code ReceiverMain PORT}. Prints
 * {@code listening PORT} once it accepts; stops with the process.
 */
public final class ReceiverMain {
  private ReceiverMain() {}

  public static void main(String[] args) throws InterruptedException {
    Receiver r = new Receiver(Integer.parseInt(args[0]));
    System.out.println("listening " + r.port());
    System.out.flush();
    Thread.currentThread().join();
  }
}
