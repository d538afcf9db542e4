package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.config.CoreOptions;
import dev.keel.testing.Embedded;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A stop closes every accepted connection, also those that never became a session (a request still
 * arriving, a TCP client that has sent nothing), long before their own deadlines would: the server
 * keeps its own set of open channels, emptied by each channel's close listener.
 */
class StopClosesEveryConnectionIT {

  @Test
  void stop_closesConnectionsThatNeverBecameSessions_beforeTheirDeadlines() throws Exception {
    Embedded.Server keel = Embedded.start((c, m) -> { }, b -> b
        .set(CoreOptions.HANDSHAKE_TIMEOUT, Duration.ofMinutes(5))
        .set(CoreOptions.IDLE_TIMEOUT, Duration.ofMinutes(5)));
    List<Socket> clients = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        Socket half = new Socket();
        half.connect(new InetSocketAddress("127.0.0.1", keel.wsPort()), 5_000);
        half.getOutputStream().write("GET /ws HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII)); // no end
        clients.add(half);
        Socket silent = new Socket();
        silent.connect(new InetSocketAddress("127.0.0.1", keel.tcpPort()), 5_000);
        clients.add(silent);
      }
      keel.close();
      for (Socket s : clients) {
        s.setSoTimeout(30_000); // a read that times out fails the test: far below the five-minute deadlines
        InputStream in = s.getInputStream();
        int b;
        try {
          do {
            b = in.read();
          } while (b != -1);
        } catch (java.net.SocketException reset) {
          b = -1; // closed by a reset: closed all the same
        }
        assertThat(b).as("end of stream").isEqualTo(-1);
      }
    } finally {
      for (Socket s : clients) {
        s.close();
      }
      keel.close();
    }
  }
}
