package dev.keel.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A plain-socket framed-TCP client: 4-byte big-endian length + JSON. Blocking; one reader thread
 * (a virtual thread in the load tests). Heartbeats from the server are counted and skipped.
 */
public final class TcpClient implements AutoCloseable {
  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  private int heartbeats;

  private TcpClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
    socket.setSoTimeout(10_000);
  }

  public static TcpClient connect(int port) {
    return connect(port, null, 0);
  }

  /**
   * @param source local source address (spreads many connections over 127.0.0.x), or null
   * @param receiveBuffer SO_RCVBUF to ask for (small: a stalled peer fills quickly), or 0
   */
  public static TcpClient connect(int port, InetAddress source, int receiveBuffer) {
    try {
      Socket s = new Socket();
      if (receiveBuffer > 0) {
        s.setReceiveBufferSize(receiveBuffer); // before connect, so the window is small from the start
      }
      if (source != null) {
        s.bind(new InetSocketAddress(source, 0));
      }
      s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      return new TcpClient(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A framed-TCP client over TLS, trusting what {@code tls} trusts. */
  public static TcpClient connectTls(int port, javax.net.ssl.SSLContext tls) {
    try {
      javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket("localhost", port);
      s.startHandshake();
      return new TcpClient(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public void send(String json) {
    byte[] b = json.getBytes(StandardCharsets.UTF_8);
    sendRaw(ByteBuffer.allocate(4 + b.length).putInt(b.length).put(b).array());
  }

  public void heartbeat() {
    sendRaw(new byte[4]);
  }

  public void sendRaw(byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next non-heartbeat frame; fails on timeout (10 s) or end of stream. */
  public String read() {
    try {
      while (true) {
        int n = in.readInt();
        if (n == 0) {
          heartbeats++;
          continue;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public JsonNode readJson() {
    return WsClient.parse(read());
  }

  /** Reads (discarding frames) until the server closes; returns true if it closed within the timeout. */
  public boolean awaitClosed(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      while (System.nanoTime() < deadline) {
        long leftMs = (deadline - System.nanoTime()) / 1_000_000;
        socket.setSoTimeout((int) Math.max(1, Math.min(leftMs, Integer.MAX_VALUE)));
        try {
          int n = in.readInt();
          in.skipNBytes(n);
        } catch (SocketTimeoutException stillOpen) {
          // keep waiting until the deadline
        }
      }
      return false;
    } catch (EOFException | SocketException closed) {
      return true;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Heartbeat frames skipped by {@link #read()} so far. */
  public int heartbeats() {
    return heartbeats;
  }

  public void setReadTimeout(Duration timeout) {
    try {
      socket.setSoTimeout((int) timeout.toMillis());
    } catch (SocketException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Socket socket() {
    return socket;
  }

  /** Ends with a TCP reset instead of a FIN. */
  public void reset() {
    try {
      socket.setSoLinger(true, 0);
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
