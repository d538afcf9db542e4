package dev.keel.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * A WebSocket peer with no manners: it completes the upgrade by hand and then does only what the
 * test says (in particular it never answers pings). For half-open and misbehaving-peer tests.
 */
public final class RawWebSocket implements AutoCloseable {
  /** One server frame: opcode and payload (unfragmented, server frames are unmasked). */
  public record Frame(int opcode, byte[] payload) {
    public int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
    }
  }

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  private RawWebSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  public static RawWebSocket connect(int port) throws IOException {
    return connect(port, "");
  }

  /** Upgrades with extra header lines (each ending in CRLF), e.g. {@code "Origin: https://x\r\n"}. */
  public static RawWebSocket connect(int port, String extraHeaders) throws IOException {
    return connectFrom(null, port, extraHeaders);
  }

  /**
   * Upgrades from the local address {@code source} (spreads clients over 127.x.y.z, each a distinct
   * address to the server or a proxy in front of it), or from any when null.
   *
   * @throws IOException "upgrade refused: STATUS LINE" when the server answers anything but 101
   */
  public static RawWebSocket connectFrom(java.net.InetAddress source, int port, String extraHeaders) throws IOException {
    Socket s = new Socket();
    if (source != null) {
      s.bind(new java.net.InetSocketAddress(source, 0));
    }
    s.connect(new java.net.InetSocketAddress("127.0.0.1", port), 10_000);
    s.setSoTimeout(10_000);
    RawWebSocket ws = new RawWebSocket(s);
    String key = Base64.getEncoder().encodeToString("keel-test-key-16".getBytes(StandardCharsets.US_ASCII));
    ws.out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
        + "Connection: Upgrade\r\nSec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
        + extraHeaders + "\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    ws.out.flush();
    String status = ws.readLine();
    if (!status.startsWith("HTTP/1.1 101")) {
      s.close();
      throw new IOException("upgrade refused: " + status);
    }
    while (!ws.readLine().isEmpty()) {
      // skip headers
    }
    return ws;
  }

  private String readLine() throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }

  public Frame readFrame() throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    long len = b1 & 0x7f;
    if (len == 126) {
      len = in.readUnsignedShort();
    } else if (len == 127) {
      len = in.readLong();
    }
    byte[] payload = new byte[(int) len];
    in.readFully(payload);
    return new Frame(b0 & 0x0f, payload);
  }

  /** Sends one masked text frame (what a browser sends). */
  public void sendText(String text) throws IOException {
    sendFrame(0x1, true, text);
  }

  /**
   * Sends one masked frame of a (possibly fragmented) message: opcode 0x1 text for the first
   * fragment, 0x0 continuation for the rest; {@code fin} on the last.
   */
  public void sendFrame(int opcode, boolean fin, String text) throws IOException {
    byte[] p = text.getBytes(StandardCharsets.UTF_8);
    java.io.ByteArrayOutputStream f = new java.io.ByteArrayOutputStream();
    f.write((fin ? 0x80 : 0) | opcode);
    if (p.length < 126) {
      f.write(0x80 | p.length);
    } else {
      f.write(0x80 | 126);
      f.write(p.length >>> 8);
      f.write(p.length & 0xff);
    }
    byte[] mask = {1, 2, 3, 4};
    f.write(mask);
    for (int i = 0; i < p.length; i++) {
      f.write(p[i] ^ mask[i & 3]);
    }
    out.write(f.toByteArray());
    out.flush();
  }

  public Socket socket() {
    return socket;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
