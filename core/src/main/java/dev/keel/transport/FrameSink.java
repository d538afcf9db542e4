package dev.keel.transport;

import io.netty.channel.ChannelHandlerContext;
import java.util.List;

/**
 * A connection's session as its frame decoder sees it. The decoder is the pipeline's last handler and
 * calls the session directly, rather than through one more handler: that saves every idle connection
 * a handler context and every frame a hop (docs/benchmarks.md, round 10). Loop-confined.
 */
public interface FrameSink {
  /** One decoded frame; the sink releases it if it is reference-counted. */
  void frame(Object msg);

  /** What a read raised, in the decoder or in the sink's handling of a frame. */
  void failed(ChannelHandlerContext ctx, Throwable cause);

  void writabilityChanged();

  /** The channel is inactive; called after the decoder has decoded what was left. */
  void ended();

  /**
   * Hands {@code out}'s frames from {@code from} on to {@code sink} and takes them out of {@code out},
   * so that they go no further down the pipeline. A frame whose handling throws is reported to
   * {@link #failed}, and the next frame goes on, as when the session was the next handler.
   */
  static void handOn(ChannelHandlerContext ctx, FrameSink sink, List<Object> out, int from) {
    int to = out.size();
    for (int i = from; i < to; i++) {
      try {
        sink.frame(out.get(i));
      } catch (RuntimeException e) {
        sink.failed(ctx, e);
      }
    }
    for (int i = to - 1; i >= from; i--) {
      out.remove(i);
    }
  }
}
