package dev.keel.load.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FramesTest {
  private static ByteBuf buf(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
  }

  @Test
  void seqAndDue_ofAServerMsg_areRead() {
    ByteBuf b = buf("{\"op\":\"msg\",\"topic\":\"t\",\"seq\":42,\"data\":{\"due\":-123456789,\"p\":\"xx\"}}");
    try {
      assertThat(Frames.isMsg(Frames.head(b))).isTrue();
      assertThat(Frames.seq(Frames.head(b))).isEqualTo(42);
      assertThat(Frames.due(Frames.head(b))).isEqualTo(-123456789);
      assertThat(b.readerIndex()).as("reading does not consume").isZero();
    } finally {
      b.release();
    }
  }

  @Test
  void reply_isNotAMsg_andHasNoSeq() {
    ByteBuf b = buf("{\"op\":\"subscribed\",\"topic\":\"t\",\"id\":1}");
    try {
      assertThat(Frames.isMsg(Frames.head(b))).isFalse();
      assertThat(Frames.seq(Frames.head(b))).isEqualTo(-1);
    } finally {
      b.release();
    }
  }

  @Test
  void due_missingOrNotANumber_isMinusOne() {
    ByteBuf b = buf("{\"op\":\"msg\",\"topic\":\"t\",\"seq\":1,\"data\":{\"due\":\"x\"}}");
    try {
      assertThat(Frames.due(Frames.head(b))).isEqualTo(-1);
    } finally {
      b.release();
    }
  }
}
