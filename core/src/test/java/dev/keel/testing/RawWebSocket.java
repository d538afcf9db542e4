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

  /**
   * Sends one masked frame exactly as given: {@code firstByte} is FIN, RSV1-3 and the opcode; any
   * payload length (the 7-bit, 16-bit or 64-bit form, as RFC 6455 §5.2 requires).
   */
  public void sendFrame(int firstByte, byte[] payload) throws IOException {
    out.write(frameBytes(firstByte, payload, true));
    out.flush();
  }

  /** The bytes of one frame, masked (as a client must) or not (a broken client). */
  public static byte[] frameBytes(int firstByte, byte[] p, boolean masked) {
    java.io.ByteArrayOutputStream f = new java.io.ByteArrayOutputStream(p.length + 14);
    f.write(firstByte);
    int maskBit = masked ? 0x80 : 0;
    if (p.length < 126) {
      f.write(maskBit | p.length);
    } else if (p.length <= 0xFFFF) {
      f.write(maskBit | 126);
      f.write(p.length >>> 8);
      f.write(p.length & 0xff);
    } else {
      f.write(maskBit | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        f.write((int) ((long) p.length >>> shift) & 0xff);
      }
    }
    byte[] mask = {0x37, (byte) 0xfa, 0x21, 0x3d};
    if (masked) {
      f.write(mask, 0, 4);
    }
    for (int i = 0; i < p.length; i++) {
      f.write(masked ? p[i] ^ mask[i & 3] : p[i]);
    }
    return f.toByteArray();
  }

  /** Writes bytes as they are (several frames at once, or a frame cut in pieces). */
  public void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /**
   * Reads frames until the server's close frame, skipping pings; returns it, or null if the stream
   * ended (or reset) without one.
   */
  public Frame readUntilClose() throws IOException {
    while (true) {
      Frame f;
      try {
        f = readFrame();
      } catch (java.io.EOFException | java.net.SocketException ended) {
        return null;
      }
      if (f.opcode() == 0x8) {
        return f;
      }
    }
  }

  /** Whether the server ends the stream (EOF) within the socket's read timeout, discarding what comes. */
  public boolean awaitEof() throws IOException {
    try {
      while (in.read() != -1) {
        // discard
      }
      return true;
    } catch (java.net.SocketTimeoutException stillOpen) {
      return false;
    } catch (java.net.SocketException reset) {
      return true;
    }
  }

  /** An upgrade request sent as given (for handshake tests): the status line and headers of the answer. */
  public static Answer request(int port, String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      RawWebSocket reader = new RawWebSocket(s);
      String status = reader.readLine();
      java.util.Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      String line;
      while (!(line = reader.readLine()).isEmpty()) {
        int colon = line.indexOf(':');
        if (colon > 0) {
          headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
        }
      }
      return new Answer(status, headers);
    }
  }

  /** The status line and headers of an HTTP answer. */
  public record Answer(String status, java.util.Map<String, String> headers) {
    public int code() {
      String[] parts = status.split(" ");
      return parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
    }
  }

  public Socket socket() {
    return socket;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
