package dev.keel.it;

import dev.keel.config.CoreOptions;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.api.Connection;
import dev.keel.api.Handler;
import dev.keel.api.Message;
import dev.keel.api.CloseReason;
import dev.keel.testing.Embedded;
import dev.keel.testing.ServerProbes;
import dev.keel.testing.TcpClient;
import dev.keel.testing.WsClient;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A handler's work ends with its connection: a call blocked forever is interrupted, forked tasks and
 * timers are cancelled, onClose runs once, and no virtual thread is left behind.
 */
class HandlerCancellationIT {
  private Embedded.Server keel;

  @AfterEach
  void stop() {
    if (keel != null) {
      keel.close();
    }
  }

  /** Blocks every onMessage until interrupted, and counts what happened. */
  static final class BlockingHandler implements Handler {
    final CountDownLatch entered = new CountDownLatch(1);
    final AtomicInteger interrupted = new AtomicInteger();
    final AtomicInteger returnedNormally = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();
    final List<CloseReason> reasons = new CopyOnWriteArrayList<>();
    final AtomicInteger messagesAfterBlock = new AtomicInteger();

    @Override
    public void onMessage(Connection c, Message m) throws InterruptedException {
      if (entered.getCount() == 0) {
        messagesAfterBlock.incrementAndGet();
      }
      entered.countDown();
      try {
        new CountDownLatch(1).await(); // forever
        returnedNormally.incrementAndGet();
      } catch (InterruptedException e) {
        interrupted.incrementAndGet();
        throw e;
      }
    }

    @Override
    public void onClose(Connection c, CloseReason reason) {
      closes.incrementAndGet();
      reasons.add(reason);
    }
  }

  @Test
  void handlerBlockedForever_peerResetsTcp_isInterruptedOnCloseRunsOnceNoThreadLeft() throws Exception {
    BlockingHandler h = new BlockingHandler();
    keel = Embedded.start(h, b -> b);
    TcpClient c = TcpClient.connect(keel.tcpPort());
    c.send("{\"block\":1}");
    c.send("{\"queued behind the blocked call\":2}");
    assertThat(h.entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("handler entered onMessage").isTrue();
    // (The runner that ran onOpen may take a moment to exit.)
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(keel.liveVirtualThreads()).as("only the blocked runner is alive").isEqualTo(1));
    c.reset();

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(h.interrupted.get()).as("blocked call interrupted").isEqualTo(1);
      assertThat(keel.liveConnections()).as("connections whose onClose has not finished").isZero();
      assertThat(keel.liveVirtualThreads()).as("Keel's virtual threads (counter)").isZero();
      assertThat(Embedded.keelVirtualThreadsInDump()).as("Keel's virtual threads (thread dump)").isZero();
    });
    assertThat(h.closes.get()).as("onClose calls").isEqualTo(1);
    assertThat(h.reasons).as("close reason").containsExactly(CloseReason.CLIENT);
    assertThat(h.returnedNormally.get()).as("blocked calls that returned normally").isZero();
    assertThat(h.messagesAfterBlock.get()).as("messages queued behind the blocked call reach no handler after close").isZero();
    assertThat(keel.liveScopes()).as("scopes").isZero();
  }

  @Test
  void handlerBlockedForever_webSocketClosesNormally_isInterruptedAndOnCloseRunsOnce() throws Exception {
    BlockingHandler h = new BlockingHandler();
    keel = Embedded.start(h, b -> b);
    WsClient ws = WsClient.connect(keel.wsPort());
    ws.send("block");
    assertThat(h.entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("handler entered onMessage").isTrue();
    ws.close();
    assertThat(ws.awaitClose(Duration.ofSeconds(10)).code()).as("close code echoed").isEqualTo(1000);

    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(h.interrupted.get()).as("blocked call interrupted").isEqualTo(1);
      assertThat(keel.liveVirtualThreads()).as("Keel's virtual threads").isZero();
      assertThat(keel.liveConnections()).as("live connections").isZero();
    });
    assertThat(h.closes.get()).as("onClose calls").isEqualTo(1);
  }

  @Test
  void serverShutdown_blockedHandler_isInterruptedOnCloseSaysShutdownAndNoThreadIsLeft() throws Exception {
    BlockingHandler h = new BlockingHandler();
    keel = Embedded.start(h, b -> b);
    TcpClient c = TcpClient.connect(keel.tcpPort());
    c.send("{\"block\":1}");
    assertThat(h.entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("handler entered onMessage").isTrue();
    keel.close(); // drains: the connection gets error shutdown, then closes
    assertThat(c.readJson().get("code").asText()).as("what the client is told").isEqualTo("shutdown");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(h.interrupted.get()).as("blocked call interrupted").isEqualTo(1);
      assertThat(keel.liveConnections()).as("connections whose onClose has not finished").isZero();
      assertThat(keel.liveVirtualThreads()).as("Keel's virtual threads").isZero();
    });
    assertThat(h.reasons).as("close reason").containsExactly(CloseReason.SHUTDOWN);
    c.close();
  }

  @Test
  void handlerTimeout_callRunsTooLong_isInterruptedAndTheConnectionClosesAsError() throws Exception {
    BlockingHandler h = new BlockingHandler();
    keel = Embedded.start(h, b -> b.set(CoreOptions.HANDLER_TIMEOUT, Duration.ofMillis(200)));
    TcpClient c = TcpClient.connect(keel.tcpPort());
    c.send("{\"block\":1}");
    // The handler rethrows the interrupt, which closes the connection as an internal error.
    assertThat(c.readJson().get("code").asText()).as("error frame after the timeout").isEqualTo("internal");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(h.interrupted.get()).as("timed-out call interrupted").isEqualTo(1);
      assertThat(h.closes.get()).as("onClose calls").isEqualTo(1);
      assertThat(keel.liveVirtualThreads()).as("Keel's virtual threads").isZero();
    });
    assertThat(h.reasons).as("close reason").containsExactly(CloseReason.ERROR);
    c.close();
  }

  @Test
  void thousandForkedTasksPerMessage_peerDisconnects_everyTaskAndTimerIsCancelled() throws Exception {
    int forks = 1000;
    AtomicInteger started = new AtomicInteger();
    AtomicInteger interrupted = new AtomicInteger();
    AtomicInteger finishedNormally = new AtomicInteger();
    AtomicInteger timersFired = new AtomicInteger();
    List<Future<?>> futures = new CopyOnWriteArrayList<>();
    Handler h = (c, m) -> {
      for (int i = 0; i < forks; i++) {
        futures.add(c.scope().fork(() -> {
          started.incrementAndGet();
          try {
            new CountDownLatch(1).await(); // until cancelled
            finishedNormally.incrementAndGet();
          } catch (InterruptedException e) {
            interrupted.incrementAndGet();
          }
        }));
      }
      for (int i = 0; i < 10; i++) {
        futures.add(c.scope().schedule(Duration.ofHours(1), timersFired::incrementAndGet));
      }
      c.send("forked");
    };
    keel = Embedded.start(h, b -> b);
    long tasksBefore = ServerProbes.scheduledTasks(keel.probe().eventLoops());
    TcpClient c = TcpClient.connect(keel.tcpPort());
    c.send("{\"go\":1}");
    assertThat(c.read()).as("reply after forking").isEqualTo("forked");
    await().atMost(Duration.ofSeconds(10)).until(() -> started.get() == forks);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(keel.liveVirtualThreads()).as("forked tasks running (the runner has finished)").isEqualTo(forks));
    c.close();

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(interrupted.get()).as("forked tasks interrupted").isEqualTo(forks);
      assertThat(keel.liveVirtualThreads()).as("Keel's virtual threads").isZero();
      assertThat(ServerProbes.scheduledTasks(keel.probe().eventLoops()))
          .as("scheduled tasks on the event loops").isEqualTo(tasksBefore);
    });
    assertThat(futures).as("every forked task and timer").hasSize(forks + 10).allMatch(Future::isCancelled);
    assertThat(finishedNormally.get()).as("forked tasks that finished normally").isZero();
    assertThat(timersFired.get()).as("timers fired").isZero();
    assertThat(Embedded.keelVirtualThreadsInDump()).as("Keel's virtual threads (thread dump)").isZero();
    assertThat(keel.liveScopes()).as("scopes").isZero();
  }

  @Test
  void scopeFirstAskedForAfterTheConnectionEnded_isCancelled_andForksNothing() throws Exception {
    AtomicInteger ran = new AtomicInteger();
    List<Future<?>> afterClose = new CopyOnWriteArrayList<>();
    List<Boolean> cancelledAtClose = new CopyOnWriteArrayList<>();
    Handler h = new Handler() {
      @Override
      public void onMessage(Connection c, Message m) {
        c.send("open"); // never touches the scope while open
      }

      @Override
      public void onClose(Connection c, CloseReason reason) {
        cancelledAtClose.add(c.scope().isCancelled());
        afterClose.add(c.scope().fork(ran::incrementAndGet));
        afterClose.add(c.scope().schedule(Duration.ofMillis(1), ran::incrementAndGet));
      }
    };
    keel = Embedded.start(h, b -> b);
    TcpClient c = TcpClient.connect(keel.tcpPort());
    c.send("{\"hi\":1}");
    assertThat(c.read()).as("reply").isEqualTo("open");
    assertThat(keel.liveScopes()).as("scopes of an open connection whose handler never asked for one").isZero();
    c.close();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(keel.liveConnections()).as("connections whose onClose has not finished").isZero());
    assertThat(cancelledAtClose).as("the scope seen in onClose").containsExactly(true);
    assertThat(afterClose).as("fork and timer asked for after the end").hasSize(2).allMatch(Future::isCancelled);
    assertThat(ran.get()).as("tasks that ran").isZero();
    assertThat(keel.liveScopes()).as("scopes").isZero();
  }
}
