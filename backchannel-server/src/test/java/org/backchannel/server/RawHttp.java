package org.backchannel.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Sends bytes that no well-behaved client would (broken framing, lying lengths) over a plain
 * socket, and reads the one answer the server gives.
 */
final class RawHttp {
  record Answer(int status, String head, String body) {
    String contentType() {
      for (String line : head.split("\r\n")) {
        if (line.toLowerCase(Locale.ROOT).startsWith("content-type:")) {
          return line.substring(13).strip();
        }
      }
      return "";
    }
  }

  private RawHttp() {}

  /**
   * Writes {@code request} and reads the answer; with {@code halfClose} false the connection stays
   * open for writing, as a client that has not finished its body would leave it.
   */
  static Answer exchange(URI server, byte[] request, boolean halfClose) {
    try (Socket socket = new Socket(server.getHost(), server.getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request);
      socket.getOutputStream().flush();
      if (halfClose) {
        socket.shutdownOutput();
      }
      return parse(readAnswer(socket.getInputStream()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String readAnswer(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
        if (complete(out.toString(StandardCharsets.UTF_8))) {
          break;
        }
      }
    } catch (SocketTimeoutException | java.net.SocketException e) {
      // what arrived is the answer
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Whether a whole answer with a Content-Length has arrived. */
  private static boolean complete(String text) {
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return false;
    }
    for (String line : text.substring(0, end).split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        int length = Integer.parseInt(line.substring(15).strip());
        return text.getBytes(StandardCharsets.UTF_8).length >= end + 4 + length;
      }
    }
    return false;
  }

  private static Answer parse(String text) {
    if (!text.startsWith("HTTP/1.1 ")) {
      return new Answer(-1, "", text);
    }
    int end = text.indexOf("\r\n\r\n");
    String head = end < 0 ? text : text.substring(0, end);
    String body = end < 0 ? "" : text.substring(end + 4);
    return new Answer(Integer.parseInt(text.substring(9, 12)), head, body);
  }
}
