package dev.keel.admin;

import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** What an admin route answers: a small body, or a file streamed back and deleted afterwards. */
record AdminResponse(HttpResponseStatus status, String contentType, byte[] body, Path file, String fileName) {
  static final String JSON = "application/json";

  static AdminResponse json(HttpResponseStatus status, String body) {
    return new AdminResponse(status, JSON, body.getBytes(StandardCharsets.UTF_8), null, null);
  }

  static AdminResponse text(String contentType, String body) {
    return new AdminResponse(HttpResponseStatus.OK, contentType, body.getBytes(StandardCharsets.UTF_8), null, null);
  }

  static AdminResponse bytes(String contentType, byte[] body) {
    return new AdminResponse(HttpResponseStatus.OK, contentType, body, null, null);
  }

  static AdminResponse file(String contentType, Path file, String fileName) {
    return new AdminResponse(HttpResponseStatus.OK, contentType, null, file, fileName);
  }

  static AdminResponse error(HttpResponseStatus status, String code, String message) {
    return json(status, "{\"error\":\"" + code + "\",\"message\":\"" + message + "\"}");
  }
}
