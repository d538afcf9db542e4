package dev.keel.transport.ws;

import dev.keel.config.CoreOptions;
import dev.keel.auth.TokenVerifier;
import dev.keel.session.ReadActivity;
import dev.keel.session.ServerContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

/** The pipeline of the HTTP + WebSocket port; nothing but its shape lives here. */
public final class WsInitializer extends ChannelInitializer<Channel> {
  /** Bounds on the request line and headers: an upgrade request needs far less. */
  private static final int MAX_INITIAL_LINE = 4096;
  private static final int MAX_HEADER_SIZE = 8192;

  private final ServerContext server;
  private final HttpExtras extras;
  private final TokenVerifier verifier;

  /** @param verifier checks the connect token of each upgrade; null when authentication is off */
  public WsInitializer(ServerContext server, HttpExtras extras, TokenVerifier verifier) {
    this.server = server;
    this.extras = extras;
    this.verifier = verifier;
  }

  @Override
  protected void initChannel(Channel ch) {
    ReadActivity activity = new ReadActivity(server.budget());
    HttpBodyMeter bodies = new HttpBodyMeter(server.budget());
    ch.pipeline()
        .addLast("activity", activity)
        .addLast("http-codec", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_SIZE, 8192))
        .addLast("http-bodies", bodies) // charged to the memory budget until answered
        // Bodies over max-message-size get 413 before they are buffered.
        .addLast("http-aggregator", new HttpObjectAggregator(server.config().get(CoreOptions.MAX_MESSAGE_SIZE)))
        .addLast("http", new HttpHandler(server, extras, verifier, activity, bodies));
  }
}
