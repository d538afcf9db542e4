package dev.keel.load.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A deliberately leaking framed-TCP server: every connection's buffers (a heap array and a pooled
 * direct buffer) go into a static list and are never let go while it runs. It answers {@code sub}
 * and {@code ping}, ignores the rest. {@link #close()} releases everything, so the test JVM's
 * paranoid leak detector has nothing to report.
 */
public final class LeakyServer implements AutoCloseable {
  /** What each connection leaves behind. */
  public static final int HEAP_BYTES_PER_CONNECTION = 64 * 1024;
  public static final int DIRECT_BYTES_PER_CONNECTION = 64 * 1024;
  static final List<Object> RETAINED = new CopyOnWriteArrayList<>();
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PooledByteBufAllocator allocator = new PooledByteBufAllocator(true);
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final Channel listener;

  public LeakyServer() throws InterruptedException {
    listener = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childOption(ChannelOption.ALLOCATOR, allocator)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            channels.add(ch);
            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(1 << 20, 0, 4, 0, 4), new Handler());
          }
        })
        .bind("127.0.0.1", 0).sync().channel();
  }

  public int port() {
    return ((InetSocketAddress) listener.localAddress()).getPort();
  }

  public long connections() {
    return channels.size();
  }

  public long directBytes() {
    return allocator.metric().usedDirectMemory();
  }

  public int retained() {
    return RETAINED.size();
  }

  private final class Handler extends SimpleChannelInboundHandler<ByteBuf> {
    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      RETAINED.add(new byte[HEAP_BYTES_PER_CONNECTION]);
      ByteBuf direct = allocator.directBuffer(DIRECT_BYTES_PER_CONNECTION);
      direct.writeZero(DIRECT_BYTES_PER_CONNECTION);
      RETAINED.add(direct);
      ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) throws Exception {
      if (!frame.isReadable()) {
        return; // heartbeat
      }
      JsonNode req = JSON.readTree(frame.toString(StandardCharsets.UTF_8));
      String op = req.path("op").asText();
      String reply = switch (op) {
        case "sub" -> "{\"op\":\"subscribed\",\"topic\":" + req.path("topic") + idOf(req) + "}";
        case "ping" -> "{\"op\":\"pong\"" + idOf(req) + "}";
        default -> null;
      };
      if (reply != null) {
        byte[] b = reply.getBytes(StandardCharsets.UTF_8);
        ctx.writeAndFlush(ctx.alloc().buffer(4 + b.length).writeInt(b.length).writeBytes(b));
      }
    }

    private String idOf(JsonNode req) {
      return req.has("id") ? ",\"id\":" + req.get("id") : "";
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  @Override
  public void close() {
    listener.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    for (Object o : RETAINED) {
      if (o instanceof ByteBuf b) {
        b.release();
      }
    }
    RETAINED.clear();
  }
}
