package dev.keel.transport.tcp;

import dev.keel.config.CoreOptions;
import dev.keel.session.ReadActivity;
import dev.keel.session.ServerContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/** The framed-TCP pipeline; nothing but its shape lives here. */
public final class TcpInitializer extends ChannelInitializer<Channel> {
  private final ServerContext server;

  public TcpInitializer(ServerContext server) {
    this.server = server;
  }

  @Override
  protected void initChannel(Channel ch) {
    ReadActivity activity = new ReadActivity(server.budget(), ch.eventLoop().ticker());
    ch.pipeline()
        // The one handler: it decodes frames and hands them, and the channel's events, to the session.
        .addLast("frame-decoder", new TcpFrameDecoder(server.config().get(CoreOptions.MAX_MESSAGE_SIZE), activity,
            new TcpSessionHandler(server, activity)));
  }
}
