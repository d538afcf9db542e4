package dev.keel.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.testing.Http;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Finding 1 of the hardening issue, the part about file descriptors: plain HTTP connections did not
 * count against any cap but the per-address one, so with a low file-descriptor limit enough stalled
 * HTTP requests froze the public port, framed TCP and the admin port (accept failed with EMFILE).
 * Here {@code keel serve} runs in its own process under {@code ulimit -n 400} at its defaults: the
 * stalled sockets are held or refused within the socket budget, framed TCP answers (or refuses at
 * once), and the admin port, which has a reserve of its own, answers.
 */
class FdLimitIT {
  private static final int FD_LIMIT = 400;
  private static final int STALLED = 700;

  @Test
  void stalledHttpRequestsUnderALowFdLimit_leaveTcpAndAdminAnswering() throws Exception {
    int ws = freePort();
    int tcp = freePort();
    int admin = freePort();
    Path log = Path.of(System.getProperty("java.io.tmpdir"), "keel-fd-limit-it.log");
    Process p = serve(log, ws, tcp, admin);
    List<Socket> stalled = new ArrayList<>();
    try {
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> Http.get(ws, "/healthz").statusCode() == 200);
      for (int i = 0; i < STALLED; i++) {
        Socket s = new Socket("127.0.0.1", ws);
        s.getOutputStream().write("POST /api/publish HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"
            .getBytes(StandardCharsets.US_ASCII));
        stalled.add(s);
      }
      assertThat(adminStatus(admin)).as("the admin port, with %d stalled HTTP sockets under ulimit -n %d", STALLED, FD_LIMIT)
          .startsWith("HTTP/1.1 200");
      assertThat(tcpAnswersOrRefuses(tcp)).as("framed TCP answers a ping or refuses at once").isTrue();
    } finally {
      for (Socket s : stalled) {
        s.close();
      }
      p.destroy();
      p.waitFor(20, TimeUnit.SECONDS);
      p.destroyForcibly();
    }
    String output = Files.readString(log);
    assertThat(output).as("the server's log").doesNotContain("reached at the tail of the pipeline");
  }

  @Test
  void maxSocketsAboveTheFdLimit_acceptFailsWithEmfile_loggedOnceASecond_andRecovers() throws Exception {
    int ws = freePort();
    int tcp = freePort();
    int admin = freePort();
    Path log = Path.of(System.getProperty("java.io.tmpdir"), "keel-fd-limit-emfile-it.log");
    Process p = serve(log, ws, tcp, admin, "--max-sockets", "100000");
    List<Socket> stalled = new ArrayList<>();
    long start;
    try {
      await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> Http.get(ws, "/healthz").statusCode() == 200);
      start = System.nanoTime();
      for (int i = 0; i < STALLED; i++) {
        Socket s = new Socket("127.0.0.1", ws); // the kernel completes the handshake; the server's accept fails
        stalled.add(s);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> Files.readString(log).contains("accept failed"));
      await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> true); // let it try for 3 s
      double seconds = (System.nanoTime() - start) / 1e9;
      long lines = Files.readString(log).lines().filter(l -> l.contains("accept failed")).count();
      assertThat(lines).as("accept-failure lines in %.1f s of EMFILE", seconds).isLessThanOrEqualTo((long) seconds + 2);
      for (Socket s : stalled) {
        s.close();
      }
      stalled.clear();
      await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
          .until(() -> FdLimitIT.tcpPings(tcp)); // descriptors back: accepting again
    } finally {
      for (Socket s : stalled) {
        s.close();
      }
      p.destroy();
      p.waitFor(20, TimeUnit.SECONDS);
      p.destroyForcibly();
    }
    String output = Files.readString(log);
    assertThat(output).as("the start-up warning").contains("is above what the file-descriptor limit");
    assertThat(output).as("the server's log").doesNotContain("reached at the tail of the pipeline")
        .doesNotContain("\tat io.netty");
  }

  /** Whether a framed-TCP ping is answered with a pong. */
  static boolean tcpPings(int port) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(3_000);
      byte[] ping = "{\"op\":\"ping\"}".getBytes(StandardCharsets.US_ASCII);
      s.getOutputStream().write(java.nio.ByteBuffer.allocate(4 + ping.length).putInt(ping.length).put(ping).array());
      byte[] head = s.getInputStream().readNBytes(4);
      return head.length == 4 && new String(s.getInputStream().readNBytes(head[3]), StandardCharsets.US_ASCII)
          .equals("{\"op\":\"pong\"}");
    }
  }

  static Process serve(Path log, int ws, int tcp, int admin, String... more) throws Exception {
    Path jar = Path.of("target", "keel-server.jar").toAbsolutePath();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    StringBuilder cmd = new StringBuilder("ulimit -n " + FD_LIMIT + " && exec '" + java + "' -jar '" + jar + "' serve"
        + " --ws-port " + ws + " --tcp-port " + tcp + " --admin-port " + admin
        + " --max-connections-per-ip 100000 --connect-rate-per-ip 100000 --connect-burst-per-ip 100000");
    for (String m : more) {
      cmd.append(' ').append(m);
    }
    return new ProcessBuilder("bash", "-c", cmd.toString()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
  }

  static String adminStatus(int port) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5_000);
      s.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      return new String(s.getInputStream().readNBytes(15), StandardCharsets.US_ASCII);
    } catch (java.net.SocketTimeoutException e) {
      return "no answer within 5 s";
    }
  }

  static boolean tcpAnswersOrRefuses(int port) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(5_000);
      byte[] ping = "{\"op\":\"ping\"}".getBytes(StandardCharsets.US_ASCII);
      s.getOutputStream().write(java.nio.ByteBuffer.allocate(4 + ping.length).putInt(ping.length).put(ping).array());
      s.getInputStream().read();
      return true; // an answer, or -1: refused at once
    } catch (java.net.SocketTimeoutException hung) {
      return false;
    } catch (java.net.SocketException refused) {
      return true;
    }
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

}
