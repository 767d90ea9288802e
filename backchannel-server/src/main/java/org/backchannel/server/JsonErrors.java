package org.backchannel.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.ByteBuffer;
import org.backchannel.core.Json;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself, before any route runs (headers too large, a request line it cannot
 * parse): {@code {"message": ...}} as every other error, whatever the client accepts.
 */
final class JsonErrors extends ErrorHandler {
  @Override
  public boolean errorPageForMethod(String method) {
    return true; // Jetty writes a body only for GET, POST and HEAD by default
  }

  @Override
  protected void generateResponse(
      Request request,
      Response response,
      int code,
      String message,
      Throwable cause,
      Callback done) {
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, body(code, message), done);
  }

  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/json");
    return body(status, reason);
  }

  private static ByteBuffer body(int code, String message) {
    String text = message == null || message.isBlank() ? HttpStatus.getMessage(code) : message;
    return ByteBuffer.wrap(Json.bytes(JsonNodeFactory.instance.objectNode().put("message", text)));
  }
}
