package dev.keel.transport.ws;

import dev.keel.auth.InvalidTokenException;
import dev.keel.auth.Principal;
import dev.keel.pubsub.PublishApi;
import dev.keel.session.Admission;
import dev.keel.session.CloseReason;
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
 * The HTTP side of the WebSocket port: {@code GET /ws} (upgrade), {@code POST /api/publish},
 * {@code GET /healthz}. An HTTP connection must complete each request within the handshake timeout;
 * after a successful upgrade this handler replaces itself with the WebSocket session.
 */
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private final ServerContext server;
  private final String wsPath;
  private final PublishApi publishApi;
  private final ReadActivity activity;
  private final WebSocketServerHandshakerFactory handshakers;
  private ScheduledFuture<?> deadline;
  /** A publish is waiting for its delivered count: later pipelined requests must wait their turn. */
  private boolean awaitingPublish;
  private final ArrayDeque<FullHttpRequest> pipelined = new ArrayDeque<>(0);

  HttpHandler(ServerContext server, PublishApi publishApi, ReadActivity activity) {
    this.server = server;
    this.publishApi = publishApi;
    this.activity = activity;
    WebSocketDecoderConfig decoder = WebSocketDecoderConfig.newBuilder()
        .maxFramePayloadLength(server.config().maxMessageSize())
        .allowExtensions(false)
        .closeOnProtocolViolation(false) // the session sends the close, with its reason and count
        .build();
    this.wsPath = server.config().wsPath();
    this.handshakers = new WebSocketServerHandshakerFactory(wsPath, null, decoder);
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

  private void releasePipelined() {
    FullHttpRequest r;
    while ((r = pipelined.pollFirst()) != null) {
      r.release();
    }
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    cancelDeadline();
    if (awaitingPublish) {
      // HTTP/1.1 answers in request order; at most one read's worth of requests can wait here,
      // since reading is paused while a publish is outstanding.
      pipelined.addLast(req.retain());
      return;
    }
    handle(ctx, req);
  }

  private void handle(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (Admission.refusal(ctx.channel()) != null) {
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
    switch (path) {
      case "/healthz" -> {
        if (server.sessions().isDraining()) {
          respond(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"status\":\"draining\"}", false);
        } else if (Boolean.FALSE.equals(publishApi.clusterUp())) {
          // 200: this node still serves its connections; a 503 would make a load balancer drop every
          // node at once when Redis goes away (docs/cluster.md).
          respond(ctx, req, HttpResponseStatus.OK, "{\"status\":\"degraded\",\"redis\":\"down\"}", false);
        } else {
          respond(ctx, req, HttpResponseStatus.OK, "{\"status\":\"up\"}", false);
        }
      }
      case "/api/publish" -> publish(ctx, req);
      default -> respond(ctx, req, HttpResponseStatus.NOT_FOUND,
          "{\"error\":\"not_found\",\"message\":\"no such path\"}", false);
    }
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
    if (!originAllowed(req)) {
      respond(ctx, req, HttpResponseStatus.FORBIDDEN,
          "{\"error\":\"forbidden\",\"message\":\"origin not allowed\"}", true);
      return;
    }
    Principal principal = null;
    if (server.authRequired()) {
      try {
        principal = server.verifier().verify(token(req));
      } catch (InvalidTokenException e) {
        server.stats().ws.closed(CloseReason.UNAUTHORIZED);
        respond(ctx, req, HttpResponseStatus.UNAUTHORIZED,
            "{\"error\":\"unauthorized\",\"message\":\"" + e.getMessage() + "\"}", true);
        return;
      }
    }
    if (!server.sessions().tryReserve()) {
      server.stats().ws.closed(CloseReason.SERVER_FULL);
      respond(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE,
          "{\"error\":\"limit_exceeded\",\"message\":\"server full, try again later\"}", true);
      return;
    }
    // RFC 6455 only (version 13): Netty would otherwise fall back to the pre-standard drafts.
    WebSocketServerHandshaker handshaker = "13".equals(req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))
        ? handshakers.newHandshaker(req) : null;
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
    var allowed = server.config().allowedOrigins();
    if (allowed.isEmpty()) {
      return true;
    }
    String origin = req.headers().get(HttpHeaderNames.ORIGIN);
    return origin != null && allowed.contains(origin);
  }

  private boolean apiKeyPresented(FullHttpRequest req) {
    String key = server.config().apiKey();
    if (key == null) {
      return true;
    }
    String given = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    return given != null && java.security.MessageDigest.isEqual(
        ("Bearer " + key).getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
  }

  private void publish(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (!HttpMethod.POST.equals(req.method())) {
      respond(ctx, req, HttpResponseStatus.METHOD_NOT_ALLOWED,
          "{\"error\":\"bad_request\",\"message\":\"use POST\"}", false);
      return;
    }
    if (!apiKeyPresented(req)) {
      respond(ctx, req, HttpResponseStatus.UNAUTHORIZED,
          "{\"error\":\"unauthorized\",\"message\":\"send Authorization: Bearer <api-key>\"}", false);
      return;
    }
    byte[] body = ByteBufUtil.getBytes(req.content());
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    HttpVersion version = req.protocolVersion();
    awaitingPublish = true;
    ctx.channel().config().setAutoRead(false);
    String error = publishApi.publish(body, delivered -> ctx.executor().execute(() -> {
      respond(ctx, version, keepAlive, HttpResponseStatus.OK, "{\"delivered\":" + delivered + "}", false);
      publishAnswered(ctx);
    }), unavailable -> ctx.executor().execute(() -> {
      respond(ctx, version, keepAlive, HttpResponseStatus.SERVICE_UNAVAILABLE, unavailable, false);
      publishAnswered(ctx);
    }));
    if (error != null) {
      respond(ctx, req, HttpResponseStatus.BAD_REQUEST, error, false);
      publishAnswered(ctx);
    }
  }

  private void publishAnswered(ChannelHandlerContext ctx) {
    awaitingPublish = false;
    FullHttpRequest next;
    while (!awaitingPublish && (next = pipelined.pollFirst()) != null) {
      try {
        handle(ctx, next);
      } finally {
        next.release();
      }
    }
    if (!awaitingPublish && ctx.channel().isActive()) {
      ctx.channel().config().setAutoRead(true);
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
      server.stats().ws.closed(CloseReason.HANDSHAKE_TIMEOUT);
      ctx.close();
    }, server.config().handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS);
  }

  private void cancelDeadline() {
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
  }
}
