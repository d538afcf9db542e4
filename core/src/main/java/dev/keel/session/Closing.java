package dev.keel.session;

import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A session's way out, made when its close begins (or its channel ends first), so an open
 * connection carries none of it: why it closes, what it had queued then (for the close log), and the
 * goodbye (a WebSocket close frame or a TCP {@code error} frame) with its deadline.
 *
 * <p>Loop-confined, like its session.
 */
final class Closing {
  final CloseCause cause;
  /** Queued bytes when the close began (the queue is empty by the end). */
  final long queuedAtStart;
  private ScheduledFuture<?> forceClose;

  Closing(CloseCause cause, long queuedAtStart) {
    this.cause = cause;
    this.queuedAtStart = queuedAtStart;
  }

  /**
   * Writes the replies already queued and the goodbye, then half-closes; the socket is closed anyway
   * after {@code closeTimeoutNanos} if the peer never takes the goodbye.
   */
  void sendGoodbye(Channel channel, Wire wire, Outbound outbound, InboundGate gate, long closeTimeoutNanos) {
    // Replies queued before the close still go first, whatever the writability: they are bounded.
    outbound.writeControlTo(channel);
    outbound.releaseAll();
    Object frame = channel.isActive() ? wire.closeFrame(cause) : null;
    if (frame == null) {
      channel.flush();
      channel.close();
      return;
    }
    // Armed before the write, which may close the channel and end the session (cancelling it) at once.
    forceClose = channel.eventLoop().schedule(() -> {
      forceClose = null;
      channel.close();
    }, closeTimeoutNanos, TimeUnit.NANOSECONDS);
    channel.writeAndFlush(frame).addListener(f -> {
      if (f.isSuccess() && channel instanceof DuplexChannel duplex) {
        // Half-close: the peer reads our goodbye, then end of stream, and closes its side (the session
        // ends then). Closing outright would answer anything it still sends with a reset, which can
        // destroy the goodbye in the peer's receive buffer before it is read.
        duplex.shutdownOutput();
      } else {
        channel.close();
      }
    });
    // Keep reading (and discarding: the session is closing) so that the final close is a FIN, not a
    // reset over unread bytes. Bounded by the close timeout above.
    gate.discardUntilClosed();
  }

  /** The channel closed: the deadline is not needed any more. */
  void ended() {
    if (forceClose != null) {
      forceClose.cancel(false);
      forceClose = null;
    }
  }
}
