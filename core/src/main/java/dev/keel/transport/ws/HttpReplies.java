package dev.keel.transport.ws;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The JSON answers of the HTTP side (docs/protocol.md, "HTTP endpoints"), and the clean way out: the
 * last answer, then a half-close, so that the client reads it and then the end of the stream, never a
 * reset over bytes it sent that the server did not read.
 */
final class HttpReplies {
  static final String MALFORMED = "{\"error\":\"bad_request\",\"message\":\"malformed HTTP request\"}";
  static final String TOO_LARGE = "{\"error\":\"too_large\",\"message\":\"the body is over max-message-size\"}";
  static final String REQUEST_TIMEOUT =
      "{\"error\":\"request_timeout\",\"message\":\"the request did not arrive in full within request-timeout\"}";
  static final String ROUTE_TIMEOUT = "{\"error\":\"unavailable\",\"message\":\"no answer within request-timeout\"}";
  static final String PIPELINE_FULL = "{\"error\":\"too_many_requests\",\"message\":"
      + "\"more pipelined requests than max-pipelined-requests: send fewer ahead of their answers\"}";
  static final String RATE_LIMITED = "{\"error\":\"rate_limited\",\"message\":\"too many requests: slow down\"}";

  private HttpReplies() {}

  /** {@code s} as a JSON string literal. */
  static String quote(String s) {
    return "\"" + new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(String.valueOf(s)))
        + "\"";
  }

  /**
   * {@code json} as the body of an answer in the server's version: HTTP/1.1, or HTTP/1.0 to a 1.0
   * client (never a version the client made up: Netty's decoder takes "HTTP/1.3" at its word).
   */
  static FullHttpResponse json(HttpVersion version, HttpResponseStatus status, String json) {
    HttpVersion ours = HttpVersion.HTTP_1_0.equals(version) ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
    FullHttpResponse res = new DefaultFullHttpResponse(ours, status, Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
    HttpUtil.setContentLength(res, res.content().readableBytes());
    return res;
  }

  /**
   * Writes the last answer of a connection ({@code Connection: close}) and half-closes once it is out;
   * the caller reads and discards what still comes, until the peer closes or close-timeout passes.
   */
  static void last(Channel ch, FullHttpResponse res) {
    HttpUtil.setKeepAlive(res, false);
    ChannelFuture written = ch.writeAndFlush(res);
    written.addListener(f -> {
      if (f.isSuccess() && ch instanceof DuplexChannel duplex && ch.isActive()) {
        duplex.shutdownOutput();
      } else {
        ch.close();
      }
    });
  }
}
