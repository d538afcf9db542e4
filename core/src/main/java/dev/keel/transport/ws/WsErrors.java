package dev.keel.transport.ws;

import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import java.io.IOException;
import javax.net.ssl.SSLException;
import dev.keel.session.CloseCause;

/**
 * What a WebSocket connection's failures mean (RFC 6455 §7.4.1): the close each exception from the
 * decoder earns, and which close codes a peer may send.
 */
final class WsErrors {
  private WsErrors() {}

  /**
   * The close {@code cause} earns: 1009 too big, 1007 invalid UTF-8, 1002 any other broken framing;
   * null when the peer itself ended the connection (reset, gone mid-frame), {@link CloseCause#ERROR}
   * for what no peer can cause.
   */
  static CloseCause closeCause(Throwable cause) {
    if (cause instanceof DecoderException && cause.getCause() != null && !(cause instanceof CorruptedFrameException)) {
      cause = cause.getCause();
    }
    if (cause instanceof IOException || cause instanceof PrematureChannelClosureException) {
      return null;
    }
    if (cause instanceof TooLongFrameException) {
      return CloseCause.TOO_LARGE;
    }
    if (cause instanceof CorruptedWebSocketFrameException corrupt) {
      WebSocketCloseStatus status = corrupt.closeStatus();
      if (WebSocketCloseStatus.MESSAGE_TOO_BIG.equals(status)) {
        return CloseCause.TOO_LARGE;
      }
      // Netty reports a 1-byte close body as invalid payload too; RFC 6455 makes it a protocol error.
      if (WebSocketCloseStatus.INVALID_PAYLOAD_DATA.equals(status)
          && !String.valueOf(corrupt.getMessage()).contains("Invalid close frame body")) {
        return CloseCause.INVALID_PAYLOAD;
      }
      return CloseCause.PROTOCOL_ERROR;
    }
    if (cause instanceof CorruptedFrameException || cause instanceof SSLException) {
      return CloseCause.PROTOCOL_ERROR;
    }
    return CloseCause.ERROR;
  }

  /** Whether {@code cause} is TLS failing (plaintext on a TLS port, a bad record): nothing can be answered. */
  static boolean tlsFailed(Throwable cause) {
    return cause instanceof SSLException || cause.getCause() instanceof SSLException;
  }

  /**
   * RFC 6455 §7.4: a peer may close with no code, 1000-1003, 1007-1014 (1012-1014 registered since)
   * or 3000-4999; 1004-1006 and 1015 are never sent on the wire, the rest is unassigned.
   */
  static boolean validCloseCode(CloseWebSocketFrame close) {
    if (close.content().readableBytes() == 0) {
      return true;
    }
    int code = close.statusCode();
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
  }
}
