package dev.keel.examples.chat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay in front of the chat whose connections can be reset (RST) at once, as a NAT or a Wi-Fi
 * change does, and which can refuse new ones for a while (the network still down).
 */
final class ResettingRelay implements AutoCloseable {
  private final ServerSocket listener;
  private final int target;
  private final List<Socket> clients = new CopyOnWriteArrayList<>();
  private volatile boolean down;

  ResettingRelay(int target) throws IOException {
    this.target = target;
    this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().start(this::accept);
  }

  int port() {
    return listener.getLocalPort();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket c = listener.accept();
        if (down) {
          reset(c);
          continue;
        }
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 5000);
        clients.add(c);
        Thread.ofVirtual().start(() -> pump(c, s));
        Thread.ofVirtual().start(() -> pump(s, c));
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void pump(Socket from, Socket to) {
    byte[] buf = new byte[16384];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
      }
    } catch (IOException ended) {
      // one side went away: the other follows
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  /** Resets every connection now, and resets new ones at once while {@code stayDown}. */
  void resetAll(boolean stayDown) {
    down = stayDown;
    for (Socket c : clients) {
      reset(c);
    }
    clients.clear();
  }

  /** New connections pass again. */
  void up() {
    down = false;
  }

  private static void reset(Socket c) {
    try {
      c.setSoLinger(true, 0); // an RST, no FIN, no close frame
    } catch (IOException ignored) {
      // already closed
    }
    closeQuietly(c);
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    resetAll(false);
  }
}
