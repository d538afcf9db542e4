package dev.keel.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** HTTP plumbing of the admin listener: the bearer-token check, then a route, then the answer. */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);

  static final String STREAM_PATH = "/admin/stream";

  private final AdminRoutes routes;
  private final StaticAssets assets;
  private final StreamHub hub;
  private final String token;
  private final byte[] expectedAuthorization;

  AdminHandler(AdminRoutes routes, StaticAssets assets, StreamHub hub, String token) {
    this.routes = routes;
    this.assets = assets;
    this.hub = hub;
    this.token = token;
    this.expectedAuthorization = token == null ? null : ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    String path = new QueryStringDecoder(req.uri()).path();
    // The page and its scripts hold no data: they load without the token and then ask for it.
    StaticAssets.Asset asset = HttpMethod.GET.equals(req.method()) ? assets.get(path) : null;
    if (asset != null) {
      FullHttpResponse res = full(HttpResponseStatus.OK, asset.contentType(), asset.bytes());
      res.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
      send(ctx, res, keepAlive);
      return;
    }
    if (STREAM_PATH.equals(path)) {
      upgradeToStream(ctx, req); // authenticated in-band: a browser cannot set headers on a WebSocket
      return;
    }
    if (!authorized(req)) {
      FullHttpResponse res = full(HttpResponseStatus.UNAUTHORIZED, AdminResponse.JSON,
          "{\"error\":\"unauthorized\",\"message\":\"send Authorization: Bearer <admin-token>\"}");
      res.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
      send(ctx, res, keepAlive);
      return;
    }
    routes.route(req.method(), req.uri(), ctx.executor()).whenComplete((r, error) ->
        ctx.executor().execute(() -> answer(ctx, r, error, keepAlive)));
  }

  private void upgradeToStream(ChannelHandlerContext ctx, FullHttpRequest req) {
    WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(STREAM_PATH, null, false, 4096)
        .newHandshaker(req);
    if (handshaker == null || !"13".equals(req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION))) {
      WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel())
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    try {
      handshaker.handshake(ctx.channel(), req).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    } catch (RuntimeException bad) {
      send(ctx, full(HttpResponseStatus.BAD_REQUEST, AdminResponse.JSON,
          "{\"error\":\"bad_request\",\"message\":\"invalid WebSocket handshake\"}"), false);
      return;
    }
    StreamHandler stream = new StreamHandler(hub, token);
    if (ctx.pipeline().get("deadline") != null) {
      ctx.pipeline().remove("deadline"); // a stream lives on; its token has a deadline of its own
    }
    ctx.pipeline().replace(this, "stream", stream);
    stream.start(ctx.pipeline().context(stream));
  }

  /** Constant-time comparison: the time taken says nothing about how much of the token matched. */
  private boolean authorized(FullHttpRequest req) {
    if (expectedAuthorization == null) {
      return true;
    }
    String given = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    return given != null && MessageDigest.isEqual(expectedAuthorization, given.getBytes(StandardCharsets.UTF_8));
  }

  private void answer(ChannelHandlerContext ctx, AdminResponse r, Throwable error, boolean keepAlive) {
    if (error != null) {
      log.warn("admin request failed", error);
      send(ctx, full(HttpResponseStatus.INTERNAL_SERVER_ERROR, AdminResponse.JSON,
          "{\"error\":\"internal\",\"message\":\"the request failed; see the server log\"}"), keepAlive);
      return;
    }
    if (r.file() == null) {
      send(ctx, full(r.status(), r.contentType(), r.body()), keepAlive);
      return;
    }
    sendFile(ctx, r);
  }

  private static FullHttpResponse full(HttpResponseStatus status, String contentType, String body) {
    return full(status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  private static FullHttpResponse full(HttpResponseStatus status, String contentType, byte[] body) {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
    HttpUtil.setContentLength(res, res.content().readableBytes());
    return res;
  }

  private static void send(ChannelHandlerContext ctx, FullHttpResponse res, boolean keepAlive) {
    if (!ctx.channel().isActive()) {
      res.release();
      return;
    }
    HttpUtil.setKeepAlive(res, keepAlive);
    if (keepAlive) {
      ctx.writeAndFlush(res);
    } else {
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Streams a file (zero-copy where the transport allows) and deletes it once written. */
  private static void sendFile(ChannelHandlerContext ctx, AdminResponse r) {
    Path file = r.file();
    long length;
    try {
      length = Files.size(file);
    } catch (IOException e) {
      delete(file);
      send(ctx, full(HttpResponseStatus.INTERNAL_SERVER_ERROR, AdminResponse.JSON,
          "{\"error\":\"internal\",\"message\":\"the output file is gone\"}"), false);
      return;
    }
    if (!ctx.channel().isActive()) {
      delete(file);
      return;
    }
    HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
    head.headers().set(HttpHeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + r.fileName() + "\"");
    head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    HttpUtil.setContentLength(head, length);
    ctx.write(head);
    ctx.write(new DefaultFileRegion(file.toFile(), 0, length));
    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(f -> {
      delete(file);
      ctx.close();
    });
  }

  private static void delete(Path file) {
    try {
      Files.deleteIfExists(file);
      Path dir = file.getParent();
      if (dir != null && dir.getFileName().toString().startsWith("keel-threads")) {
        Files.deleteIfExists(dir);
      }
    } catch (IOException e) {
      log.warn("cannot delete {}", file, e);
    }
  }

  /**
   * The end of the admin pipeline. A reset, a client gone mid-request, or a request the codec cannot
   * take is the client's doing and closes quietly (debug); anything else is logged as one line.
   */
  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof IOException || cause instanceof DecoderException || cause instanceof PrematureChannelClosureException) {
      log.debug("admin connection {} ended: {}", ctx.channel().remoteAddress(), cause.toString());
    } else {
      log.warn("admin connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      log.debug("admin connection failure", cause);
    }
    ctx.close();
  }
}
