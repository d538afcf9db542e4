package dev.keel.transport.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.config.KeelConfig;
import dev.keel.testing.EmbeddedTcp;
import io.netty.channel.ChannelHandler;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A framed-TCP connection's pipeline is its frame decoder alone: the decoder hands frames, and the
 * channel's start, writability, end and errors, to the session ({@link TcpSessionHandler}), so an
 * idle connection pays for one handler context.
 */
class TcpPipelineTest {
  private final EmbeddedTcp server = new EmbeddedTcp(KeelConfig.builder().build());
  private EmbeddedTcp.Client client;

  @AfterEach
  void close() {
    if (client != null) {
      client.close();
    }
  }

  @Test
  void anOpenSession_hasTheFrameDecoderAsItsOnlyHandler_andIsServedThroughIt() {
    client = server.connect().send("{\"op\":\"echo\",\"data\":\"hi\"}");

    List<Class<?>> handlers = client.channel.pipeline().toMap().values().stream()
        .<Class<?>>map(ChannelHandler::getClass).toList();
    assertThat(handlers).containsExactly(TcpFrameDecoder.class);
    assertThat(client.frames()).as("the echo came back through the decoder's session").anySatisfy(f -> assertThat(f).contains("hi"));
    assertThat(server.sessions.count()).as("the session was admitted on channelActive").isEqualTo(1);
  }
}
