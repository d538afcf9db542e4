package dev.keel.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OpenChannelsTest {
  private final OpenChannels open = new OpenChannels();

  @Test
  void closeAll_closesWhatIsOpen() {
    EmbeddedChannel a = new EmbeddedChannel();
    EmbeddedChannel b = new EmbeddedChannel();
    assertThat(open.add(a)).isTrue();
    assertThat(open.add(b)).isTrue();

    assertThat(open.closeAll(5, TimeUnit.SECONDS)).as("all closed in time").isTrue();
    assertThat(a.isOpen()).isFalse();
    assertThat(b.isOpen()).isFalse();
  }

  @Test
  void aChannelAddedAfterTheSweepBegan_isToBeClosedByItsAdmission() {
    open.closeAll(5, TimeUnit.SECONDS);
    EmbeddedChannel late = new EmbeddedChannel();

    assertThat(open.add(late)).as("accepted as the server stopped").isFalse();
  }
}
