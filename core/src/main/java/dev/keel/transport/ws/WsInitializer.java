package dev.keel.transport.ws;

import dev.keel.config.CoreOptions;
import dev.keel.auth.TokenVerifier;
import dev.keel.limit.AddressLimiter;
import dev.keel.session.ReadActivity;
import dev.keel.session.ServerContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.util.concurrent.Ticker;

/** The pipeline of the HTTP + WebSocket port; nothing but its shape lives here. */
public final class WsInitializer extends ChannelInitializer<Channel> {
  /** Bounds on the request line and headers: an upgrade request needs far less. */
  private static final int MAX_INITIAL_LINE = 4096;
  private static final int MAX_HEADER_SIZE = 8192;
  /**
   * Netty's own bound on requests decoded and not yet answered. Keel's bound is
   * {@code max-pipelined-requests}; this one only has to exceed what one read can hold (64 KiB of
   * 18-byte requests), so that Netty never cuts a connection off ahead of the answers it is owed.
   */
  private static final int CODEC_PIPELINE_DEPTH = 65_536;

  private final ServerContext server;
  private final HttpExtras extras;
  private final TokenVerifier verifier;
  private final AddressLimiter addresses;
  /** Immutable, so one for the listener: each upgraded connection's decoder holds it (24 B each when made per connection). */
  private final WebSocketDecoderConfig decoderConfig;

  /**
   * @param verifier checks the connect token of each upgrade; null when authentication is off
   * @param addresses the server's per-address limits (HTTP requests to routes take its request tokens)
   */
  public WsInitializer(ServerContext server, HttpExtras extras, TokenVerifier verifier, AddressLimiter addresses) {
    this.server = server;
    this.extras = extras;
    this.verifier = verifier;
    this.addresses = addresses;
    this.decoderConfig = WebSocketDecoderConfig.newBuilder()
        .maxFramePayloadLength(server.config().get(CoreOptions.MAX_MESSAGE_SIZE))
        .allowExtensions(false)
        .closeOnProtocolViolation(false) // the session sends the close, with its reason and count
        .withUTF8Validator(false) // WsSessionHandler checks whole messages (RFC 6455 §8.1)
        .build();
  }

  /** With per-address limits of its own, made from the configuration (for a pipeline on its own, in tests). */
  public WsInitializer(ServerContext server, HttpExtras extras, TokenVerifier verifier) {
    this(server, extras, verifier, new AddressLimiter(server.config().get(CoreOptions.MAX_CONNECTIONS_PER_IP),
        server.config().get(CoreOptions.CONNECT_RATE_PER_IP), server.config().get(CoreOptions.CONNECT_BURST_PER_IP),
        server.config().get(CoreOptions.HTTP_RATE_LIMIT_PER_IP), Ticker.systemTicker()));
  }

  @Override
  protected void initChannel(Channel ch) {
    // Told of reads by the WebSocket frame decoder once there is one; the HTTP stage keeps its own clocks.
    ReadActivity activity = new ReadActivity(server.budget(), ch.eventLoop().ticker());
    HttpStage stage = new HttpStage(server.config());
    HttpBodyMeter bodies = new HttpBodyMeter(server.budget());
    ch.pipeline()
        .addLast("http-stage", stage)
        .addLast("http-codec", new HttpServerCodec(new HttpDecoderConfig()
            .setMaxInitialLineLength(MAX_INITIAL_LINE).setMaxHeaderSize(MAX_HEADER_SIZE).setMaxChunkSize(8192),
            CODEC_PIPELINE_DEPTH))
        .addLast("http-bodies", bodies) // charged to the memory budget until answered
        // Bodies over max-message-size get 413 before they are buffered.
        .addLast("http-aggregator", new JsonAggregator(server.config().get(CoreOptions.MAX_MESSAGE_SIZE)))
        .addLast("http", new HttpHandler(server, extras, verifier, activity, stage, addresses, bodies, decoderConfig));
  }
}
