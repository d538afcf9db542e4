package dev.keel.client;

/**
 * Why a publish did not get its {@code ok}: the server's error code ({@code forbidden},
 * {@code bad_request}, {@code unavailable}, ...) or the client's own: {@code connection_lost} (the
 * connection ended before the answer: the message may or may not have been published),
 * {@code buffer_full} (offline, and the offline buffer was full), {@code closed} (the client closed).
 *
 * <p>Usage: {@code catch (KeelException e) { if (e.code().equals("connection_lost")) ... }}
 */
public final class KeelException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String code;

  public KeelException(String code, String message) {
    super(code + ": " + message);
    this.code = code;
  }

  public String code() {
    return code;
  }
}
