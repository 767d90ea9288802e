package org.backchannel.core.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which addresses outbound calls may reach, by class, in IPv4 and IPv6 and their mixed forms. */
final class AddressPolicyTest {
  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal); // literals only: no lookup happens
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "127.0.0.1",
        "127.9.9.9",
        "::1", // loopback
        "10.0.0.1",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "fd12:3456::1", // private
        "169.254.169.254",
        "169.254.0.1",
        "fe80::1", // link-local, cloud metadata
        "fd00:ec2::254", // AWS metadata over IPv6 (unique local)
        "100.64.0.1",
        "100.127.255.254", // CGNAT
        "224.0.0.1",
        "239.255.255.250",
        "ff02::1", // multicast
        "0.0.0.0",
        "::",
        "255.255.255.255",
        "240.0.0.1", // unspecified, broadcast, reserved
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254", // IPv4-mapped
        "::127.0.0.1", // IPv4-compatible
        "64:ff9b::a00:1", // NAT64 of 10.0.0.1
        "2002:7f00:1::" // 6to4 of 127.0.0.1
      })
  void refusesEveryNonPublicClassByDefault(String literal) throws Exception {
    assertThat(AddressPolicy.publicOnly().permits(ip(literal))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8"})
  void allowsPublicAddresses(String literal) throws Exception {
    assertThat(AddressPolicy.publicOnly().permits(ip(literal))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1", "::1", "::ffff:127.0.0.1"})
  void loopbackOnlyWhenAllowed(String literal) throws Exception {
    assertThat(AddressPolicy.allowingLoopback().permits(ip(literal))).isTrue();
    assertThat(AddressPolicy.allowingLoopback().permits(ip("10.0.0.1"))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.1.2.3", "10.1.255.255"})
  void anAllowListOpensExactlyItsRange(String literal) throws Exception {
    AddressPolicy policy = AddressPolicy.allowing(List.of("10.1.0.0/16"));
    assertThat(policy.permits(ip(literal))).isTrue();
    assertThat(policy.permits(ip("10.2.0.1"))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost/8", "10.0.0.0", "10.0.0.0/33", "example.com/24"})
  void anAllowListTakesOnlyLiteralRanges(String spec) {
    assertThatThrownBy(() -> AddressPolicy.allowing(List.of(spec)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
