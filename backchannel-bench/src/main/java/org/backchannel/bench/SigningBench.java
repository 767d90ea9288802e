package org.backchannel.bench;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.backchannel.sdk.AppSecret;
import org.backchannel.sdk.EventToken;
import org.backchannel.sdk.FlowdockToken;
import org.backchannel.sdk.StandardWebhooks;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** What signing one outgoing call costs, per contract, with a typical 1 KB body. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class SigningBench {
  private final AppSecret secret = AppSecret.generate();
  private final List<AppSecret> secrets = List.of(secret);
  private final byte[] body =
      ("{\"type\":\"thread.updated\",\"timestamp\":\"2026-11-23T10:00:00Z\",\"data\":{\"text\":\""
              + "x".repeat(1000)
              + "\"}}")
          .getBytes(StandardCharsets.UTF_8);
  private final Instant now = Instant.parse("2026-11-23T10:00:00Z");

  @Benchmark
  public String flowdockToken() {
    return FlowdockToken.sign(secret, "42", body, now);
  }

  @Benchmark
  public String eventToken() {
    return EventToken.sign(secret, "app-1", "u:42", now, "msg_0123456789abcdef01234567");
  }

  @Benchmark
  public Map<String, String> standardWebhooks() {
    return StandardWebhooks.headers("msg_0123456789abcdef01234567", now, body, secrets);
  }
}
