package dev.keel.auth;

/** A connect token that does not verify; the message is safe to send to the client. */
public final class InvalidTokenException extends Exception {
  private static final long serialVersionUID = 1L;

  public InvalidTokenException(String message) {
    super(message, null, false, false);
  }
}
