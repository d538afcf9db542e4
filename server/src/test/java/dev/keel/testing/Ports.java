package dev.keel.testing;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Loopback port probes for tests that start servers in other processes or watch a port open. */
public final class Ports {
  private Ports() {}

  /** A port that was free a moment ago (for a server told which port to bind). */
  public static int free() throws IOException {
    try (ServerSocket probe = new ServerSocket(0)) {
      return probe.getLocalPort();
    }
  }

  /** Whether a connect to {@code port} on the loopback address is refused (nothing listens there). */
  public static boolean refuses(int port) {
    return refuses(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
  }

  /** Whether a connect to {@code to} is refused (nothing listens there); a timeout is not a refusal. */
  public static boolean refuses(InetSocketAddress to) {
    try (Socket s = new Socket()) {
      s.connect(to, 5_000);
      return false;
    } catch (ConnectException refused) {
      return true;
    } catch (IOException e) {
      throw new AssertionError("connecting to " + to + ": neither accepted nor refused", e);
    }
  }
}
