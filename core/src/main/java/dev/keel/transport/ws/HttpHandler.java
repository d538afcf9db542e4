package dev.keel.transport.ws;

import dev.keel.config.CoreOptions;
import dev.keel.auth.AuthGate;
import dev.keel.auth.InvalidTokenException;
import dev.keel.auth.TokenVerifier;
import dev.keel.limit.AddressLimiter;
import dev.keel.limit.MemoryBudget;
import dev.keel.limit.Stage;
import dev.keel.session.PeerIdentity;
import dev.keel.spi.HealthCheck;
import dev.keel.spi.HttpRoute;
import dev.keel.session.Admission;
import dev.keel.session.ClientAddress;
import dev.keel.session.CloseCause;
import dev.keel.session.CloseLog;
import dev.keel.session.ReadActivity;
import dev.keel.session.ServerContext;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.util.ArrayDeque;

/**
 * The HTTP side of the WebSocket port: {@code GET /ws} (upgrade), {@code GET /healthz}, and the routes
 * extensions add ({@link HttpExtras}; {@code keel serve} adds {@code POST /api/publish}). Requests are
 * answered one at a time, in order: the next is taken once the answer to this one is written, and at
 * most {@code max-pipelined-requests} may wait meanwhile (one more: the waiting ones are answered,
 * then 429 and a clean close). Every stage has a deadline ({@link HttpStage}); every failure is
 * answered with a JSON error or ends the connection quietly, and is logged by the close log, never
 * with a stack trace. After a successful upgrade this handler gives way to the WebSocket session.
 */
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final String OVERLOADED =
      "{\"error\":\"overloaded\",\"message\":\"server overloaded, try again later\"}";
  private final ServerContext server;
  private final String wsPath;
  private final HttpExtras extras;
  private final TokenVerifier verifier;
  private final ReadActivity activity;
  private final HttpStage stage;
  private final HttpRequestRate rate;
  private final int maxPipelined;
  private final HttpBodyMeter bodies;
  private final WebSocketDecoderConfig decoderConfig;
  /** A request is being answered: later pipelined requests wait their turn. */
  private boolean busy;
  /** More requests came than max-pipelined-requests: the rest are dropped, and a 429 ends the connection. */
  private boolean overflowed;
  private final ArrayDeque<FullHttpRequest> pipelined = new ArrayDeque<>(0);
  /** The route's exchange under way, or null. */
  private RouteExchange current;

  /** @param decoderConfig the WebSocket frame decoder's settings, one instance per listener (see WsInitializer) */
  HttpHandler(ServerContext server, HttpExtras extras, TokenVerifier verifier, ReadActivity activity,
      HttpStage stage, AddressLimiter addresses, HttpBodyMeter bodies, WebSocketDecoderConfig decoderConfig) {
    this.server = server;
    this.bodies = bodies;
    this.extras = extras;
    this.verifier = verifier;
    this.activity = activity;
    this.stage = stage;
    this.rate = new HttpRequestRate(server.settings(), addresses);
    this.maxPipelined = server.config().get(CoreOptions.MAX_PIPELINED_REQUESTS);
    this.wsPath = server.config().get(CoreOptions.WS_PATH);
    this.decoderConfig = decoderConfig;
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releasePipelined();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releasePipelined();
    ctx.fireChannelInactive();
  }

  private void releasePipelined() {
    FullHttpRequest r;
    while ((r = pipelined.pollFirst()) != null) {
      r.release();
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    HttpAdmission.learnClient(ctx.channel(), req.headers(), server.config().get(CoreOptions.FORWARDED_HEADER));
    if (overflowed || stage.stage() == HttpStage.Stage.CLOSING) {
      return; // dropped (released by the superclass): the connection is on its way out
    }
    if (busy) {
      // HTTP/1.1 answers in request order. Reading is paused while one is answered, so what waits here
      // is what one read held; past the bound the connection is refused the rest.
      if (pipelined.size() >= maxPipelined) {
        overflowed = true; // those waiting are still answered, then the 429
        return;
      }
      pipelined.addLast(req.retain());
      return;
    }
    handle(ctx, req);
  }

  private void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
    busy = true;
    ctx.channel().config().setAutoRead(false);
    stage.handling();
    Admission.Refusal refusal = HttpAdmission.refusal(ctx.channel(), extras, req.uri(),
        () -> new RouteExchange(this, ctx, req));
    if (refusal != null) {
      server.counters().ws.closed(refusal.reason()); // counted when told: an exempt request is not refused
      CloseLog.closed(ctx.channel(), "http", refusal.reason(), refusal.message());
      respondLast(ctx, req.protocolVersion(), HttpResponseStatus.SERVICE_UNAVAILABLE,
          "{\"error\":\"limit_exceeded\",\"message\":" + HttpReplies.quote(refusal.message()) + "}");
      return;
    }
    if (!req.decoderResult().isSuccess()) {
      boolean tooLarge = JsonAggregator.oversized(req);
      server.counters().ws.closed(tooLarge ? CloseCause.TOO_LARGE : CloseCause.PROTOCOL_ERROR);
      CloseLog.closed(ctx.channel(), "http", tooLarge ? CloseCause.TOO_LARGE : CloseCause.PROTOCOL_ERROR,
          tooLarge ? "body over max-message-size" : "malformed request: " + req.decoderResult().cause().getMessage());
      respondLast(ctx, req.protocolVersion(), tooLarge ? HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE
          : HttpResponseStatus.BAD_REQUEST, tooLarge ? HttpReplies.TOO_LARGE : HttpReplies.MALFORMED);
      return;
    }
    String path = new QueryStringDecoder(req.uri()).path();
    if (path.equals(wsPath)) {
      upgrade(ctx, req);
      return;
    }
    if (path.equals("/healthz")) {
      HealthCheck down = extras.firstDown();
      if (server.sessions().isDraining()) {
        respond(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"status\":\"draining\"}");
      } else if (server.budget().stage() != Stage.NORMAL) {
        // Over the memory budget's high mark: a load balancer should send new clients elsewhere.
        respond(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE,
            "{\"status\":\"overloaded\",\"stage\":\"" + server.budget().stage().label() + "\"}");
      } else if (down != null && down.ready()) {
        // Not ready for clients yet (the warm-up): a load balancer should wait.
        respond(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"status\":\"starting\",\"" + down.name() + "\":\"down\"}");
      } else if (down != null) {
        // 200: this node still serves its connections; a 503 would make a load balancer drop every
        // node at once when a shared dependency (Redis) goes away (docs/cluster.md).
        respond(ctx, req, HttpResponseStatus.OK, "{\"status\":\"degraded\",\"" + down.name() + "\":\"down\"}");
      } else {
        respond(ctx, req, HttpResponseStatus.OK, "{\"status\":\"up\"}");
      }
      return;
    }
    HttpRoute route = extras.route(path);
    if (route == null) {
      respond(ctx, req, HttpResponseStatus.NOT_FOUND, "{\"error\":\"not_found\",\"message\":\"no such path\"}");
      return;
    }
    long retryAfter = rate.tryRequest(ctx);
    if (retryAfter > 0) {
      server.counters().httpRateLimited();
      FullHttpResponse res = HttpReplies.json(req.protocolVersion(), HttpResponseStatus.TOO_MANY_REQUESTS,
          HttpReplies.RATE_LIMITED);
      res.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfter);
      write(ctx, res, HttpUtil.isKeepAlive(req));
      return;
    }
    serve(ctx, req, route);
  }

  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req) {
    String problem = UpgradeCheck.problem(req);
    if (problem != null) {
      respondLast(ctx, req.protocolVersion(), HttpResponseStatus.BAD_REQUEST,
          "{\"error\":\"bad_request\",\"message\":" + HttpReplies.quote(wsPath + ": " + problem) + "}");
      return;
    }
    if (server.sessions().isDraining()) {
      respondLast(ctx, req.protocolVersion(), HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"status\":\"draining\"}");
      return;
    }
    if (server.budget().stage() != Stage.NORMAL) {
      server.counters().ws.closed(CloseCause.OVERLOAD_REFUSED);
      server.budget().count(MemoryBudget.Action.REFUSED);
      respondLast(ctx, req.protocolVersion(), HttpResponseStatus.SERVICE_UNAVAILABLE, OVERLOADED);
      return;
    }
    if (!UpgradeCheck.originAllowed(req, server.config().get(CoreOptions.ALLOWED_ORIGINS))) {
      respondLast(ctx, req.protocolVersion(), HttpResponseStatus.FORBIDDEN,
          "{\"error\":\"forbidden\",\"message\":\"origin not allowed\"}");
      return;
    }
    PeerIdentity principal = null;
    if (verifier != null) {
      try {
        principal = AuthGate.admitted(verifier.verify(UpgradeCheck.token(req)));
      } catch (InvalidTokenException e) {
        server.counters().ws.closed(CloseCause.UNAUTHORIZED);
        respondLast(ctx, req.protocolVersion(), HttpResponseStatus.UNAUTHORIZED,
            "{\"error\":\"unauthorized\",\"message\":" + HttpReplies.quote(e.getMessage()) + "}");
        return;
      }
    }
    long id = server.sessions().reserve();
    if (id == 0) {
      server.counters().ws.closed(CloseCause.SERVER_FULL);
      respondLast(ctx, req.protocolVersion(), HttpResponseStatus.SERVICE_UNAVAILABLE,
          "{\"error\":\"limit_exceeded\",\"message\":\"server full (max-connections), try again later\"}");
      return;
    }
    // RFC 6455 only (version 13): Netty would otherwise fall back to the pre-standard drafts.
    WebSocketServerHandshaker handshaker = "13".equals(req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))
        ? new MeteredHandshaker(wsPath, decoderConfig, activity) : null;
    if (handshaker == null) {
      server.sessions().unreserve();
      stage.closing();
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel())
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    try {
      // The handshaker swaps the HTTP codec for the WebSocket codec; then this handler and the stage
      // give way to the session, which owns the reserved slot from now on.
      handshaker.handshake(ctx.channel(), req).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    } catch (RuntimeException badHandshake) { // checked before any change to the pipeline
      server.sessions().unreserve();
      respondLast(ctx, req.protocolVersion(), HttpResponseStatus.BAD_REQUEST,
          "{\"error\":\"bad_request\",\"message\":\"invalid WebSocket handshake\"}");
      return;
    }
    // WsWire builds every frame whole (data frames are shared by a broadcast's recipients), so the
    // encoder the handshaker added only passes buffers on: removed, one handler less per connection
    // and per write. The handshake's response has already been encoded by the HTTP codec.
    WebSocketFrameEncoder encoder = ctx.pipeline().get(WebSocketFrameEncoder.class);
    if (encoder != null) {
      ctx.pipeline().remove(encoder);
    }
    ctx.pipeline().remove(bodies); // no HTTP bodies after the upgrade
    ctx.channel().config().setAutoRead(true); // from here on the session's gate owns reading
    WsSessionHandler session = WsSessionHandler.open(id, ctx, server, activity, principal);
    MeteredHandshaker.deliverTo(ctx, session); // the decoder hands it frames: no handler of its own
    ctx.pipeline().remove(stage);
    ctx.pipeline().remove(this);
  }

  /**
   * Hands the request to an extension's route; its answer comes now or later, from any thread, within
   * request-timeout ({@link HttpStage}). The socket is not read meanwhile, so a slow route pushes back
   * on its client through TCP.
   */
  private void serve(ChannelHandlerContext ctx, FullHttpRequest req, HttpRoute route) {
    if (req.content().isReadable() && server.budget().stage() != Stage.NORMAL) {
      // A request with a body (a publish) adds to memory that is already short: refused, not queued.
      server.budget().count(MemoryBudget.Action.REJECTED);
      respond(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, OVERLOADED);
      return;
    }
    RouteExchange exchange = new RouteExchange(this, ctx, req);
    current = exchange;
    try {
      route.handler().accept(exchange);
    } catch (RuntimeException e) {
      // A route that throws is a bug in the server, not the client's doing: its trace is wanted.
      org.slf4j.LoggerFactory.getLogger(HttpHandler.class).warn("route {} failed", route.path(), e);
      exchange.respond(500, "{\"error\":\"internal\",\"message\":\"the request failed\"}");
    }
  }

  /** A route's answer, on the connection's loop; {@code last}: the connection closes after it. */
  void routeAnswered(ChannelHandlerContext ctx, RouteExchange exchange, FullHttpResponse res, boolean last) {
    if (exchange != current) {
      res.release();
      return;
    }
    current = null;
    if (last) {
      last(ctx, res);
    } else {
      write(ctx, res, exchange.keepAlive());
    }
  }

  private void respond(ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String json) {
    write(ctx, HttpReplies.json(req.protocolVersion(), status, json), HttpUtil.isKeepAlive(req));
  }

  private void respondLast(ChannelHandlerContext ctx, HttpVersion version, HttpResponseStatus status, String json) {
    last(ctx, HttpReplies.json(version, status, json));
  }

  /** Writes an answer; once it is out, the next pipelined request is taken (or the connection idles). */
  private void write(ChannelHandlerContext ctx, FullHttpResponse res, boolean keepAlive) {
    if (!keepAlive || server.sessions().isDraining()) {
      last(ctx, res);
      return;
    }
    if (!ctx.channel().isActive()) {
      res.release();
      return;
    }
    HttpUtil.setKeepAlive(res, true);
    stage.writing();
    ctx.writeAndFlush(res).addListener(f -> {
      if (f.isSuccess()) {
        written(ctx);
      } else {
        ctx.close();
      }
    });
  }

  private void last(ChannelHandlerContext ctx, FullHttpResponse res) {
    if (!ctx.channel().isActive()) {
      res.release();
      return;
    }
    stage.closing();
    releasePipelined();
    ctx.channel().config().setAutoRead(true); // read and discard until the peer closes: a FIN, not a reset
    HttpReplies.last(ctx.channel(), res);
  }

  private void written(ChannelHandlerContext ctx) {
    busy = false;
    FullHttpRequest next = pipelined.pollFirst();
    if (next != null) {
      try {
        handle(ctx, next);
      } finally {
        next.release();
      }
      return;
    }
    if (overflowed) {
      server.counters().ws.closed(CloseCause.RATE_LIMIT);
      CloseLog.closed(ctx.channel(), "http", CloseCause.RATE_LIMIT, "more than max-pipelined-requests ("
          + maxPipelined + ") pipelined requests");
      busy = true;
      respondLast(ctx, HttpVersion.HTTP_1_1, HttpResponseStatus.TOO_MANY_REQUESTS, HttpReplies.PIPELINE_FULL);
      return;
    }
    bodies.settled(); // every request read so far is answered: their bodies are gone
    stage.answered();
    ctx.channel().config().setAutoRead(true);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (!(evt instanceof HttpStage.Expired expired)) {
      ctx.fireUserEventTriggered(evt);
      return;
    }
    switch (expired.stage()) {
      case OPENED -> quietClose(ctx, CloseCause.HANDSHAKE_TIMEOUT, "no request within handshake-timeout");
      case IDLE -> {
        server.counters().ws.closed(CloseCause.IDLE_TIMEOUT); // a normal end for a keep-alive connection
        ctx.close();
      }
      case RECEIVING -> {
        server.counters().ws.closed(CloseCause.REQUEST_TIMEOUT);
        CloseLog.closed(ctx.channel(), "http", CloseCause.REQUEST_TIMEOUT, "a request not in full within request-timeout");
        busy = true;
        respondLast(ctx, HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT, HttpReplies.REQUEST_TIMEOUT);
      }
      case HANDLING -> {
        server.counters().ws.closed(CloseCause.REQUEST_TIMEOUT);
        CloseLog.closed(ctx.channel(), "http", CloseCause.REQUEST_TIMEOUT, "its route did not answer within request-timeout");
        RouteExchange late = current;
        if (late != null) {
          late.respondLast(503, HttpReplies.ROUTE_TIMEOUT);
        } else {
          ctx.close();
        }
      }
      case WRITING -> quietClose(ctx, CloseCause.WRITE_TIMEOUT, "an answer not taken within write-timeout");
      case CLOSING -> ctx.close(); // the peer did not close its side within close-timeout
    }
  }

  private void quietClose(ChannelHandlerContext ctx, CloseCause reason, String detail) {
    server.counters().ws.closed(reason);
    CloseLog.closed(ctx.channel(), "http", reason, detail);
    ctx.close();
  }

  /**
   * The end of every HTTP pipeline: a client that resets or leaves mid-request ended the connection
   * itself; a request the codec could not take (bad framing, a pipeline Netty refuses) gets 400 if
   * nothing else is owed; anything else is unexpected. None of it is logged with a stack trace.
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    CloseCause reason = WsErrors.closeCause(cause);
    if (reason == null) {
      ctx.close(); // reset, or gone in the middle of a request: the client ended it
    } else if (WsErrors.tlsFailed(cause)) {
      quietClose(ctx, CloseCause.PROTOCOL_ERROR, "TLS failed: " + cause.getMessage());
    } else if (reason == CloseCause.ERROR && !(cause instanceof io.netty.handler.codec.DecoderException)) {
      CloseLog.unexpected(ctx.channel(), cause, ctx.executor());
      ctx.close();
    } else if (busy) {
      quietClose(ctx, CloseCause.PROTOCOL_ERROR, String.valueOf(cause.getMessage()));
    } else {
      server.counters().ws.closed(CloseCause.PROTOCOL_ERROR);
      CloseLog.closed(ctx.channel(), "http", CloseCause.PROTOCOL_ERROR, String.valueOf(cause.getMessage()));
      busy = true;
      respondLast(ctx, HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_REQUEST, HttpReplies.MALFORMED);
    }
  }
}
