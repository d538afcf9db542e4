package dev.keel.transport.ws;

import dev.keel.session.ClientAddress;
import dev.keel.spi.HttpExchange;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/** One request to a route, copied out of its pooled buffers, and its one answer, written on the connection's loop. */
final class RouteExchange implements HttpExchange {
  private final HttpHandler handler;
  private final ChannelHandlerContext ctx;
  private final String method;
  private final String uri;
  private final HttpHeaders headers;
  private final byte[] body;
  private final HttpVersion version;
  private final boolean keepAlive;
  private final AtomicBoolean answered = new AtomicBoolean();

  RouteExchange(HttpHandler handler, ChannelHandlerContext ctx, FullHttpRequest req) {
    this.handler = handler;
    this.ctx = ctx;
    this.method = req.method().name();
    this.uri = req.uri();
    this.headers = req.headers().copy();
    this.body = ByteBufUtil.getBytes(req.content());
    this.version = req.protocolVersion();
    this.keepAlive = HttpUtil.isKeepAlive(req);
  }

  boolean keepAlive() {
    return keepAlive;
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
  public InetSocketAddress remoteAddress() {
    return (InetSocketAddress) ClientAddress.of(ctx.channel()); // the client's, behind a trusted proxy
  }

  @Override
  public void respond(int status, String json) {
    answer(status, json, false);
  }

  /** The server's own answer in the route's place (it was too late): the connection closes after it. */
  void respondLast(int status, String json) {
    answer(status, json, true);
  }

  private void answer(int status, String json, boolean last) {
    if (!answered.compareAndSet(false, true)) {
      return;
    }
    Runnable write = () -> handler.routeAnswered(ctx, this,
        HttpReplies.json(version, HttpResponseStatus.valueOf(status), json), last);
    if (ctx.executor().inEventLoop()) {
      write.run();
    } else {
      try {
        ctx.executor().execute(write);
      } catch (RejectedExecutionException stopped) {
        // the server is stopping: the connection goes with it
      }
    }
  }
}
