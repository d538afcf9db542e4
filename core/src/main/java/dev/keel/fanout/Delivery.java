package dev.keel.fanout;

import dev.keel.session.Framing;
import dev.keel.session.SendOutcome;
import dev.keel.session.Subscriber;
import io.netty.buffer.ByteBuf;

/** Hands one message to the subscribers one event loop owns; runs on that loop. */
final class Delivery implements Runnable {
  /** The topic, as the key a conflating queue keeps one message per. */
  private final Topic topic;
  private final Subscriber[] recipients;
  private final ByteBuf msg;
  private final Tally tally;
  private final FanOutCounters stats;

  Delivery(Topic topic, Subscriber[] recipients, ByteBuf msg, Tally tally, FanOutCounters stats) {
    this.topic = topic;
    this.recipients = recipients;
    this.msg = msg;
    this.tally = tally;
    this.stats = stats;
  }

  @Override
  public void run() {
    int queued = 0;
    // The message framed once per transport on this loop; each recipient queues a duplicate.
    Framing firstWire = null;
    ByteBuf firstFrame = null;
    Framing otherWire = null;
    ByteBuf otherFrame = null;
    try {
      for (Subscriber s : recipients) {
        Framing w = s.framing();
        ByteBuf frame;
        if (w == firstWire) {
          frame = firstFrame;
        } else if (firstWire == null) {
          firstWire = w;
          frame = firstFrame = w.dataFrame(msg.alloc(), msg, false);
        } else if (w == otherWire) {
          frame = otherFrame;
        } else {
          if (otherFrame != null) {
            otherFrame.release(); // a third kind of wire: keep the latest two
          }
          otherWire = w;
          frame = otherFrame = w.dataFrame(msg.alloc(), msg, false);
        }
        if (s.offer(frame, topic) == SendOutcome.QUEUED) {
          queued++;
        }
      }
    } finally {
      msg.release();
      if (firstFrame != null) {
        firstFrame.release();
      }
      if (otherFrame != null) {
        otherFrame.release();
      }
      stats.delivered.add(queued);
      if (tally != null) {
        tally.partitionDone(queued);
      }
    }
  }

  void abandon() {
    msg.release();
    if (tally != null) {
      tally.partitionDone(0);
    }
  }
}
