package org.backchannel.core.delivery;

import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which addresses Backchannel may call. Public addresses always; loopback, private, link-local
 * (cloud metadata among them), CGNAT, multicast and reserved ranges only when an allow-list names
 * them. IPv4 addresses mapped or embedded in IPv6 are judged as the IPv4 address they carry.
 */
public final class AddressPolicy {
  private static final List<Cidr> REFUSED =
      cidrs(
          "0.0.0.0/8",
          "10.0.0.0/8",
          "100.64.0.0/10",
          "127.0.0.0/8",
          "169.254.0.0/16",
          "172.16.0.0/12",
          "192.0.0.0/24",
          "192.0.2.0/24",
          "192.168.0.0/16",
          "198.18.0.0/15",
          "198.51.100.0/24",
          "203.0.113.0/24",
          "224.0.0.0/4",
          "240.0.0.0/4",
          "::/128",
          "::1/128",
          "fc00::/7",
          "fe80::/10",
          "fec0::/10",
          "ff00::/8",
          "2001:db8::/32");

  private final List<Cidr> allowed;

  private AddressPolicy(List<Cidr> allowed) {
    this.allowed = List.copyOf(allowed);
  }

  /** Public addresses only: the production default. */
  public static AddressPolicy publicOnly() {
    return new AddressPolicy(List.of());
  }

  /** Public addresses plus the given CIDR ranges (e.g. {@code 127.0.0.0/8}, {@code ::1/128}). */
  public static AddressPolicy allowing(List<String> cidrs) {
    return new AddressPolicy(cidrs(cidrs.toArray(String[]::new)));
  }

  /** Public addresses plus loopback: for development on one machine. */
  public static AddressPolicy allowingLoopback() {
    return allowing(List.of("127.0.0.0/8", "::1/128"));
  }

  /** Whether a call to {@code address} is allowed. */
  public boolean permits(InetAddress address) {
    InetAddress judged = embeddedIpv4(address);
    if (allowed.stream().anyMatch(c -> c.contains(judged))) {
      return true;
    }
    return !judged.isAnyLocalAddress() && REFUSED.stream().noneMatch(c -> c.contains(judged));
  }

  /** The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), or itself. */
  static InetAddress embeddedIpv4(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return address;
    }
    byte[] b = address.getAddress();
    boolean zeros80 = allZero(b, 0, 10);
    boolean mapped = zeros80 && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
    boolean compatible = allZero(b, 0, 12) && !allZero(b, 12, 16) && !isOne(b);
    boolean nat64 =
        (b[0] & 0xff) == 0x00
            && (b[1] & 0xff) == 0x64
            && (b[2] & 0xff) == 0xff
            && (b[3] & 0xff) == 0x9b
            && allZero(b, 4, 12);
    try {
      if (mapped || compatible || nat64) {
        return InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16));
      }
      if ((b[0] & 0xff) == 0x20 && (b[1] & 0xff) == 0x02) { // 6to4: 2002:AABB:CCDD::/48
        return InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 2, 6));
      }
    } catch (UnknownHostException e) {
      throw new IllegalStateException("four bytes always make an IPv4 address", e);
    }
    return address;
  }

  private static boolean allZero(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean isOne(byte[] b) {
    return allZero(b, 0, 15) && b[15] == 1;
  }

  private static List<Cidr> cidrs(String... specs) {
    List<Cidr> out = new ArrayList<>();
    for (String spec : specs) {
      out.add(Cidr.parse(spec));
    }
    return out;
  }

  /** An address range; only literal addresses are accepted, so parsing never does a lookup. */
  record Cidr(BigInteger network, int bits, int length) {
    static Cidr parse(String spec) {
      int slash = spec.indexOf('/');
      if (slash < 0) {
        throw new IllegalArgumentException("a CIDR range needs /bits: " + spec);
      }
      String host = spec.substring(0, slash);
      if (!host.contains(":") && !host.matches("[0-9.]+")) {
        throw new IllegalArgumentException("a CIDR range needs a literal address: " + spec);
      }
      byte[] bytes;
      try {
        bytes = InetAddress.getByName(host).getAddress();
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("not an address: " + spec, e);
      }
      int bits = Integer.parseInt(spec.substring(slash + 1));
      int length = bytes.length * 8;
      if (bits < 0 || bits > length) {
        throw new IllegalArgumentException("prefix length out of range: " + spec);
      }
      return new Cidr(mask(new BigInteger(1, bytes), bits, length), bits, length);
    }

    boolean contains(InetAddress address) {
      byte[] bytes = address.getAddress();
      int len = bytes.length * 8;
      if (len != length) {
        return false;
      }
      return mask(new BigInteger(1, bytes), bits, length).equals(network);
    }

    private static BigInteger mask(BigInteger value, int bits, int length) {
      return value.shiftRight(length - bits);
    }
  }
}
