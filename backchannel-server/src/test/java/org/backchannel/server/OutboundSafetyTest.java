package org.backchannel.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.backchannel.core.delivery.AddressPolicy;
import org.backchannel.core.delivery.Exchange;
import org.backchannel.core.delivery.JettyHttpSender;
import org.backchannel.core.delivery.OutboundRequest;
import org.backchannel.testkit.RecordingReceiver;
import org.backchannel.testkit.RecordingReceiver.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sender refuses what the address policy refuses, and cannot be tricked by a second lookup. */
final class OutboundSafetyTest {
  private final RecordingReceiver receiver = RecordingReceiver.start();

  @AfterEach
  void stop() {
    receiver.close();
  }

  private static OutboundRequest get(URI uri) {
    return new OutboundRequest(
        "POST", uri, Map.of("Content-Type", "application/json"), "{}".getBytes());
  }

  @Test
  void aLoopbackAddressIsRefusedByDefaultAndNothingIsSent() {
    try (JettyHttpSender sender = new JettyHttpSender(AddressPolicy.publicOnly(), 1024)) {
      Exchange e = sender.send(get(receiver.url("/hook")), Duration.ofSeconds(5));

      assertThat(e).isInstanceOf(Exchange.Unanswered.class);
      assertThat(((Exchange.Unanswered) e).failure()).isEqualTo(Exchange.Failure.BLOCKED);
    }
    assertThat(receiver.requests()).isEmpty();
  }

  @Test
  void aNameThatResolvesToAPrivateAddressIsRefused() {
    JettyHttpSender.Resolver internal =
        host -> new InetAddress[] {InetAddress.getLoopbackAddress()};
    try (JettyHttpSender sender = new JettyHttpSender(AddressPolicy.publicOnly(), 1024, internal)) {
      URI uri = URI.create("http://hooks.example.test:" + receiver.url("/").getPort() + "/hook");

      Exchange e = sender.send(get(uri), Duration.ofSeconds(5));

      assertThat(((Exchange.Unanswered) e).failure()).isEqualTo(Exchange.Failure.BLOCKED);
    }
    assertThat(receiver.requests()).isEmpty();
  }

  @Test
  void aRebindingNameIsLookedUpOnceAndOnlyTheVettedAddressIsCalled() throws Exception {
    // The first answer is an allowed address where nothing listens; a second lookup would give
    // the loopback address where the receiver listens. Only one lookup may happen.
    InetAddress vetted = InetAddress.getByName("127.0.0.2");
    AtomicInteger lookups = new AtomicInteger();
    JettyHttpSender.Resolver rebinding =
        host ->
            new InetAddress[] {
              lookups.getAndIncrement() == 0 ? vetted : InetAddress.getByName("127.0.0.1")
            };
    AddressPolicy onlyVetted = AddressPolicy.allowing(List.of("127.0.0.2/32"));
    try (JettyHttpSender sender = new JettyHttpSender(onlyVetted, 1024, rebinding)) {
      URI uri = URI.create("http://rebind.example.test:" + receiver.url("/").getPort() + "/hook");

      Exchange e = sender.send(get(uri), Duration.ofSeconds(5));

      assertThat(e).isInstanceOf(Exchange.Unanswered.class);
    }
    assertThat(lookups.get()).isEqualTo(1);
    assertThat(receiver.requests()).isEmpty();
  }

  @Test
  void redirectsAreNotFollowedAndAnswersAreCapped() {
    try (JettyHttpSender sender = new JettyHttpSender(AddressPolicy.allowingLoopback(), 16)) {
      receiver.answer(Answer.status(302).withHeader("Location", "http://169.254.169.254/latest"));
      Exchange redirect = sender.send(get(receiver.url("/hook")), Duration.ofSeconds(5));
      assertThat(((Exchange.Answered) redirect).status()).isEqualTo(302);
      assertThat(receiver.requests()).hasSize(1);

      receiver.answer(Answer.json(200, "{\"text\":\"" + "x".repeat(100) + "\"}"));
      Exchange big = sender.send(get(receiver.url("/hook")), Duration.ofSeconds(5));
      Exchange.Answered answered = (Exchange.Answered) big;
      assertThat(answered.body()).hasSize(16);
      assertThat(answered.truncated()).isTrue();
    }
  }
}
