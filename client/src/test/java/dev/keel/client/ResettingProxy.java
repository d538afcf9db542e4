package dev.keel.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A TCP relay in front of the server whose connections can be reset (RST) at once, as a NAT or a Wi-Fi change does. */
final class ResettingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int target;
  private final List<Socket> clients = new CopyOnWriteArrayList<>();
  /** Connections whose bytes are read and thrown away: a peer that went silent without closing. */
  private final java.util.Set<Socket> frozen = java.util.concurrent.ConcurrentHashMap.newKeySet();

  ResettingProxy(int target) throws IOException {
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
        Socket s = new Socket();
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 5000);
        clients.add(c);
        Thread.ofVirtual().start(() -> pump(c, s, c));
        Thread.ofVirtual().start(() -> pump(s, c, c));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to, Socket client) {
    byte[] buf = new byte[16384];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buf)) > 0) {
        if (!frozen.contains(client)) {
          out.write(buf, 0, n);
        }
      }
    } catch (IOException ended) {
      // one side went away: the other follows
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  /** From now on the current connections pass nothing either way (new ones pass as usual). */
  void freezeAll() {
    frozen.addAll(clients);
  }

  /** Resets every client connection (SO_LINGER 0: an RST, no FIN, no close frame). */
  void resetAll() {
    for (Socket c : clients) {
      try {
        c.setSoLinger(true, 0);
      } catch (IOException ignored) {
        // already closed
      }
      closeQuietly(c);
    }
    clients.clear();
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
    resetAll();
  }
}
