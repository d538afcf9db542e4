package dev.keel.transport.ws;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Netty's aggregator, with one change: a request whose body passes {@code max-message-size} is not
 * answered here (Netty writes an empty 413 at once, ahead of any answers still owed to earlier
 * pipelined requests) but handed on as a marker request that {@link HttpHandler} answers in turn,
 * with the documented JSON 413. The rest of that body is discarded here, as Netty does.
 */
final class JsonAggregator extends HttpObjectAggregator {
  private static final TooLongFrameException BODY_TOO_LARGE = new TooLongFrameException("body over max-message-size");

  JsonAggregator(int maxContentLength) {
    super(maxContentLength);
  }

  /** Whether {@code req} is the marker of a request whose body was too large. */
  static boolean oversized(FullHttpRequest req) {
    return req.decoderResult().cause() == BODY_TOO_LARGE;
  }

  @Override
  protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
    if (!(oversized instanceof HttpRequest req)) {
      ctx.close(); // a server receives requests only
      return;
    }
    FullHttpRequest marker = new DefaultFullHttpRequest(req.protocolVersion(), req.method(), req.uri(),
        Unpooled.EMPTY_BUFFER, req.headers().copy(), io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
    marker.setDecoderResult(DecoderResult.failure(BODY_TOO_LARGE));
    ctx.fireChannelRead(marker);
  }

  @Override
  protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
    Object answer = super.newContinueResponse(start, maxContentLength, pipeline);
    if (answer instanceof HttpResponse r && r.status().code() != 100) {
      io.netty.util.ReferenceCountUtil.release(answer);
      return tooLarge(); // Expect: 100-continue with a Content-Length over the limit
    }
    return answer;
  }

  @Override
  protected boolean closeAfterContinueResponse(Object msg) {
    return msg instanceof HttpResponse r && r.status().code() == 413 || super.closeAfterContinueResponse(msg);
  }

  private static FullHttpResponse tooLarge() {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
        Unpooled.copiedBuffer(HttpReplies.TOO_LARGE, StandardCharsets.UTF_8));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    HttpUtil.setContentLength(res, res.content().readableBytes());
    return res;
  }
}
