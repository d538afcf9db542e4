package dev.keel.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The log rule catches what it is for (so that a silent guard cannot pass for a clean run): a stack
 * trace logged at WARN through SLF4J, and Netty's warning for an exception that reached the tail of a
 * pipeline. Each test removes its own reports, which would otherwise fail this class.
 */
class LogGuardTest {
  @Test
  void guard_isInstalledInEveryTestJvm() {
    assertThat(LogGuard.active()).as("the test JVM runs with LogGuardProvider").isTrue();
  }

  @Test
  void stackTraceAtWarn_isReported_butALineWithoutOneIsNot() {
    int before = LogGuard.reports().size();
    LoggerFactory.getLogger("dev.keel.test.guard").warn("a plain warning about {}", "something");
    assertThat(LogGuard.reports()).as("a WARN line without a stack trace").hasSize(before);
    LoggerFactory.getLogger("dev.keel.test.guard").warn("something failed for {}", "a client",
        new IllegalStateException("broken on purpose"));
    List<LogGuard.Event> reports = LogGuard.reports();
    assertThat(reports).as("a WARN with a stack trace").hasSize(before + 1);
    assertThat(reports.get(before).thrown()).as("the throwable is kept").hasMessage("broken on purpose");
    assertThat(reports.get(before).message()).as("the message is formatted").isEqualTo("something failed for a client");
    reports.subList(before, reports.size()).clear();
  }

  @Test
  void exceptionReachingTheTailOfANettyPipeline_isReported() throws Exception {
    int before = LogGuard.reports().size();
    // A real channel: EmbeddedChannel keeps such exceptions for checkException() instead of logging them.
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    try {
      Channel ch = new Bootstrap().group(group).channel(LocalChannel.class)
          .handler(new ChannelInboundHandlerAdapter()) // handles nothing
          .register().sync().channel();
      ch.pipeline().fireExceptionCaught(new java.io.IOException("reset on purpose"));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> LogGuard.reports().size() > before);
      ch.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }
    List<LogGuard.Event> reports = LogGuard.reports();
    assertThat(reports).as("Netty's tail-of-pipeline warning").hasSize(before + 1);
    assertThat(reports.get(before).message()).as("the warning").contains("reached at the tail of the pipeline");
    assertThat(reports.get(before).logger()).as("logged by Netty").startsWith("io.netty");
    reports.subList(before, reports.size()).clear();
  }

  @Test
  void allowedEvents_areNotReported() {
    int before = LogGuard.reports().size();
    LogGuard.Allowance allowed = LogGuard.allow(e -> e.logger().equals("dev.keel.test.expected"));
    try {
      LoggerFactory.getLogger("dev.keel.test.expected").error("expected", new RuntimeException("on purpose"));
    } finally {
      allowed.close();
    }
    assertThat(LogGuard.reports()).as("an allowed stack trace").hasSize(before);
  }
}
