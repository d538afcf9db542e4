package dev.keel.transport.ws;

import dev.keel.config.CoreOptions;
import dev.keel.auth.AuthGate;
import dev.keel.auth.InvalidTokenException;
import dev.keel.auth.TokenVerifier;
import dev.keel.limit.MemoryBudget;
import dev.keel.limit.Stage;
import dev.keel.session.PeerIdentity;
import dev.keel.spi.HttpExchange;
import dev.keel.spi.HttpRoute;
import dev.keel.session.ClientAddress;
import dev.keel.session.CloseCause;
import dev.keel.session.ReadActivity;
import dev.keel.session.ServerContext;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP side of the WebSocket port: {@code GET /ws} (upgrade), {@code GET /healthz}, and the routes
 * extensions add ({@link HttpExtras}; {@code keel serve} adds {@code POST /api/publish}). An HTTP connection must complete each request within the handshake timeout;
 * after a successful upgrade this handler replaces itself with the WebSocket session.
 */
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final String OVERLOADED =
      "{\"error\":\"overloaded\",\"message\":\"server overloaded, try again later\"}";
  private final ServerContext server;
  private final String wsPath;
  private final HttpExtras extras;
  private final TokenVerifier verifier;
  private final ReadActivity activity;
  private final HttpBodyMeter bodies;
  private final WebSocketDecoderConfig decoderConfig;
  private ScheduledFuture<?> deadline;
  /** A route has not answered yet: later pipelined requests must wait their turn. */
  private boolean awaitingResponse;
  private final ArrayDeque<FullHttpRequest> pipelined = new ArrayDeque<>(0);

  HttpHandler(ServerContext server, HttpExtras extras, TokenVerifier verifier, ReadActivity activity,
      HttpBodyMeter bodies) {
    this.server = server;
    this.bodies = bodies;
    this.extras = extras;
    this.verifier = verifier;
    this.activity = activity;
    WebSocketDecoderConfig decoder = WebSocketDecoderConfig.newBuilder()
        .maxFramePayloadLength(server.config().get(CoreOptions.MAX_MESSAGE_SIZE))
        .allowExtensions(false)
        .closeOnProtocolViolation(false) // the session sends the close, with its reason and count
        .build();
    this.wsPath = server.config().get(CoreOptions.WS_PATH);
    this.decoderConfig = decoder;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    armDeadline(ctx);
    ctx.fireChannelActive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancelDeadline();
    releasePipelined();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelDeadline();
    releasePipelined();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof java.io.IOException) {
      ctx.close(); // reset by the peer before or between requests (a load balancer's probe, say): not news
      return;
    }
    ctx.fireExceptionCaught(cause);
  }

  private void releasePipelined() {
    FullHttpRequest r;
    while ((r = pipelined.pollFirst()) != null) {
      r.release();
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    cancelDeadline();
    HttpAdmission.learnClient(ctx.channel(), req.headers(), server.config().get(CoreOptions.FORWARDED_HEADER));
    if (awaitingResponse) {
      // HTTP/1.1 answers in request order; at most one read's worth of requests can wait here,
      // since reading is paused while a route's answer is outstanding.
      pipelined.addLast(req.retain());
      return;
    }
    handle(ctx, req);
    if (!awaitingResponse) {
      bodies.settled(); // answered at once
    }
  }

  private void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
    CloseCause refused = HttpAdmission.refusal(ctx.channel(), extras, req.uri(),
        () -> new Exchange(ctx, req, req.protocolVersion(), HttpUtil.isKeepAlive(req)));
    if (refused != null) {
      server.counters().ws.closed(refused); // counted when told: an exempt request is not refused
      respond(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE,
          "{\"error\":\"limit_exceeded\",\"message\":\"too many connections from your address, try again later\"}", true);
      return;
    }
    if (!req.decoderResult().isSuccess()) {
      respond(ctx, req, HttpResponseStatus.BAD_REQUEST, "{\"error\":\"bad_request\",\"message\":\"malformed HTTP request\"}", true);
      return;
    }
    String path = new QueryStringDecoder(req.uri()).path();
    if (path.equals(wsPath)) {
      upgrade(ctx, req);
      return;
    }
    if (path.equals("/healthz")) {
      String down = extras.firstDown();
      if (server.sessions().isDraining()) {
        respond(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"status\":\"draining\"}", false);
      } else if (server.budget().stage() != Stage.NORMAL) {
        // Over the memory budget's high mark: a load balancer should send new clients elsewhere.
        respond(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE,
            "{\"status\":\"overloaded\",\"stage\":\"" + server.budget().stage().label() + "\"}", false);
      } else if (down != null) {
        // 200: this node still serves its connections; a 503 would make a load balancer drop every
        // node at once when a shared dependency (Redis) goes away (docs/cluster.md).
        respond(ctx, req, HttpResponseStatus.OK, "{\"status\":\"degraded\",\"" + down + "\":\"down\"}", false);
      } else {
        respond(ctx, req, HttpResponseStatus.OK, "{\"status\":\"up\"}", false);
      }
      return;
    }
    HttpRoute route = extras.route(path);
    if (route == null) {
      respond(ctx, req, HttpResponseStatus.NOT_FOUND, "{\"error\":\"not_found\",\"message\":\"no such path\"}", false);
      return;
    }
    serve(ctx, req, route);
  }

  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (!HttpMethod.GET.equals(req.method())
        || !HttpHeaderValues.WEBSOCKET.contentEqualsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE))) {
      respond(ctx, req, HttpResponseStatus.BAD_REQUEST,
          "{\"error\":\"bad_request\",\"message\":\"" + wsPath + " takes a WebSocket upgrade\"}", true);
      return;
    }
    if (server.sessions().isDraining()) {
      respond(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"status\":\"draining\"}", true);
      return;
    }
    if (server.budget().stage() != Stage.NORMAL) {
      server.counters().ws.closed(CloseCause.OVERLOAD_REFUSED);
      server.budget().count(MemoryBudget.Action.REFUSED);
      respond(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, OVERLOADED, true);
      return;
    }
    if (!originAllowed(req)) {
      respond(ctx, req, HttpResponseStatus.FORBIDDEN,
          "{\"error\":\"forbidden\",\"message\":\"origin not allowed\"}", true);
      return;
    }
    PeerIdentity principal = null;
    if (verifier != null) {
      try {
        principal = AuthGate.admitted(verifier.verify(token(req)));
      } catch (InvalidTokenException e) {
        server.counters().ws.closed(CloseCause.UNAUTHORIZED);
        respond(ctx, req, HttpResponseStatus.UNAUTHORIZED,
            "{\"error\":\"unauthorized\",\"message\":\"" + e.getMessage() + "\"}", true);
        return;
      }
    }
    if (!server.sessions().tryReserve()) {
      server.counters().ws.closed(CloseCause.SERVER_FULL);
      respond(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE,
          "{\"error\":\"limit_exceeded\",\"message\":\"server full, try again later\"}", true);
      return;
    }
    // RFC 6455 only (version 13): Netty would otherwise fall back to the pre-standard drafts.
    WebSocketServerHandshaker handshaker = "13".equals(req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))
        ? new MeteredHandshaker(wsPath, decoderConfig, activity) : null;
    if (handshaker == null) {
      server.sessions().unreserve();
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel())
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    try {
      // The handshaker swaps the HTTP codec for the WebSocket codec; then this handler gives way to
      // the session. The session then owns the reserved slot.
      handshaker.handshake(ctx.channel(), req).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    } catch (RuntimeException badHandshake) { // e.g. no Sec-WebSocket-Key: checked before any change
      server.sessions().unreserve();
      respond(ctx, req, HttpResponseStatus.BAD_REQUEST,
          "{\"error\":\"bad_request\",\"message\":\"invalid WebSocket handshake\"}", true);
      return;
    }
    ctx.pipeline().remove(bodies); // no HTTP bodies after the upgrade
    WsSessionHandler session = WsSessionHandler.open(ctx, server, activity, principal);
    ctx.pipeline().addAfter(ctx.name(), "ws-session", session);
    ctx.pipeline().remove(this); // the session adds a frame aggregator if a message ever comes in fragments
  }

  /**
   * The connect token of an upgrade: {@code Authorization: Bearer T}, or the {@code token} query
   * parameter (a browser cannot set headers on a WebSocket).
   */
  private static String token(FullHttpRequest req) {
    String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return auth.substring(7).trim();
    }
    var values = new QueryStringDecoder(req.uri()).parameters().get("token");
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** With {@code allowed-origins} set, a browser's upgrade must come from one of them (exact match). */
  private boolean originAllowed(FullHttpRequest req) {
    var allowed = server.config().get(CoreOptions.ALLOWED_ORIGINS);
    if (allowed.isEmpty()) {
      return true;
    }
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    return origin != null && allowed.contains(origin);
  }

  /**
   * Hands the request to an extension's route and holds back the next one until it answers: the
   * socket is not read meanwhile, so a slow route pushes back on its client through TCP.
   */
  private void serve(ChannelHandlerContext ctx, FullHttpRequest req, HttpRoute route) {
    if (req.content().isReadable() && server.budget().stage() != Stage.NORMAL) {
      // A request with a body (a publish) adds to memory that is already short: refused, not queued.
      server.budget().count(MemoryBudget.Action.REJECTED);
      respond(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, OVERLOADED, false);
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    HttpVersion version = req.protocolVersion();
    Exchange exchange = new Exchange(ctx, req, version, keepAlive);
    awaitingResponse = true;
    ctx.channel().config().setAutoRead(false);
    try {
      route.handler().accept(exchange);
    } catch (RuntimeException e) {
      exchange.respond(500, "{\"error\":\"internal\",\"message\":\"the request failed\"}");
      org.slf4j.LoggerFactory.getLogger(HttpHandler.class).warn("route {} failed", route.path(), e);
    }
  }

  /** One request to a route; its answer is written on the connection's loop, once. */
  private final class Exchange implements HttpExchange {
    private final ChannelHandlerContext ctx;
    private final String method;
    private final String uri;
    private final io.netty.handler.codec.http.HttpHeaders headers;
    private final byte[] body;
    private final HttpVersion version;
    private final boolean keepAlive;
    private final java.util.concurrent.atomic.AtomicBoolean answered = new java.util.concurrent.atomic.AtomicBoolean();

    Exchange(ChannelHandlerContext ctx, FullHttpRequest req, HttpVersion version, boolean keepAlive) {
      this.ctx = ctx;
      this.method = req.method().name();
      this.uri = req.uri();
      this.headers = req.headers().copy();
      this.body = ByteBufUtil.getBytes(req.content());
      this.version = version;
      this.keepAlive = keepAlive;
    }

    @Override
    public String method() {
      return method;
    }

    @Override
    public String uri() {
      return uri;
    }

    @Override
    public String header(String name) {
      return headers.get(name);
    }

    @Override
    public byte[] body() {
      return body;
    }

    @Override
    public java.net.InetSocketAddress remoteAddress() {
      return (java.net.InetSocketAddress) ClientAddress.of(ctx.channel());
    }

    @Override
    public void respond(int status, String json) {
      if (!answered.compareAndSet(false, true)) {
        return;
      }
      Runnable answer = () -> {
        HttpHandler.this.respond(ctx, version, keepAlive, HttpResponseStatus.valueOf(status), json, false);
        routeAnswered(ctx);
      };
      if (ctx.executor().inEventLoop()) {
        answer.run();
      } else {
        try {
          ctx.executor().execute(answer);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
          // the server is stopping: the connection goes with it
        }
      }
    }
  }

  private void routeAnswered(ChannelHandlerContext ctx) {
    awaitingResponse = false;
    FullHttpRequest next;
    while (!awaitingResponse && (next = pipelined.pollFirst()) != null) {
      try {
        handle(ctx, next);
      } finally {
        next.release();
      }
    }
    if (!awaitingResponse) {
      bodies.settled();
      if (ctx.channel().isActive()) {
        ctx.channel().config().setAutoRead(true);
      }
    }
  }

  private void respond(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status,
      String json, boolean close) {
    respond(ctx, req.protocolVersion(), HttpUtil.isKeepAlive(req), status, json, close);
  }

  private void respond(ChannelHandlerContext ctx, HttpVersion version, boolean keepAlive,
      HttpResponseStatus status, String json, boolean close) {
    if (!ctx.channel().isActive()) {
      return;
    }
    FullHttpResponse res = new DefaultFullHttpResponse(version, status,
        Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    HttpUtil.setContentLength(res, res.content().readableBytes());
    boolean closeAfter = close || !keepAlive || server.sessions().isDraining();
    HttpUtil.setKeepAlive(res, !closeAfter);
    if (closeAfter) {
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.writeAndFlush(res);
      armDeadline(ctx); // the next request must come within the handshake timeout too
    }
  }

  private void armDeadline(ChannelHandlerContext ctx) {
    cancelDeadline();
    deadline = ctx.executor().schedule(() -> {
      deadline = null;
      server.counters().ws.closed(CloseCause.HANDSHAKE_TIMEOUT);
      ctx.close();
    }, server.config().get(CoreOptions.HANDSHAKE_TIMEOUT).toNanos(), TimeUnit.NANOSECONDS);
  }

  private void cancelDeadline() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }
}
