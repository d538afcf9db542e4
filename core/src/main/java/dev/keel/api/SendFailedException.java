package dev.keel.api;

import java.io.IOException;

/**
 * {@link Connection#sendAndAwait} could not write its message: it was dropped, or the connection closed.
 *
 * <p>Usage: {@code catch (SendFailedException e) { if (e.result() == SendResult.DROPPED) ... }}
 */
public final class SendFailedException extends IOException {
  private static final long serialVersionUID = 1L;

  private final SendResult result;

  SendFailedException(SendResult result) {
    super("message not written: " + result.name().toLowerCase(java.util.Locale.ROOT));
    this.result = result;
  }

  /** {@code DROPPED} (slow-consumer policy) or {@code CLOSED}. */
  public SendResult result() {
    return result;
  }
}
