package dev.keel.serve;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The smallest WebSocket client that does what the warm-up needs: the upgrade, masked text frames
 * out, frames in read and counted. Blocking, on a thread of its own, over loopback.
 */
final class WarmupSocket implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;
  private final byte[] mask = new byte[4];

  WarmupSocket(InetAddress from, InetSocketAddress to, String path, String token, int receiveBuffer) throws IOException {
    socket = new Socket();
    if (receiveBuffer > 0) {
      socket.setReceiveBufferSize(receiveBuffer);
    }
    socket.bind(new InetSocketAddress(from, 0));
    socket.connect(to, 2_000);
    socket.setSoTimeout(2_000);
    // Buffered: readFrame reads a frame's header a byte at a time, which unbuffered is a system call
    // per byte (the warm-up's own reading then cost more than the server's fan-out it exercises).
    in = new BufferedInputStream(socket.getInputStream(), 16_384);
    out = socket.getOutputStream();
    byte[] key = new byte[16];
    ThreadLocalRandom.current().nextBytes(key);
    String auth = token == null ? "" : "Authorization: Bearer " + token + "\r\n";
    out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n"
        + auth + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0 || head.length() > 8_192) {
        throw new IOException("no upgrade answer");
      }
      head.append((char) b);
    }
    if (!head.toString().startsWith("HTTP/1.1 101")) {
      throw new IOException("upgrade refused: " + head.toString().lines().findFirst().orElse(""));
    }
  }

  /** Sends one masked text frame (RFC 6455 §5.3: a client masks everything it sends). */
  void send(String text) throws IOException {
    byte[] p = text.getBytes(StandardCharsets.UTF_8);
    ThreadLocalRandom.current().nextBytes(mask);
    byte[] f;
    int at;
    if (p.length < 126) {
      f = new byte[2 + 4 + p.length];
      f[1] = (byte) (0x80 | p.length);
      at = 2;
    } else {
      f = new byte[4 + 4 + p.length];
      f[1] = (byte) (0x80 | 126);
      f[2] = (byte) (p.length >>> 8);
      f[3] = (byte) p.length;
      at = 4;
    }
    f[0] = (byte) 0x81;
    System.arraycopy(mask, 0, f, at, 4);
    for (int i = 0; i < p.length; i++) {
      f[at + 4 + i] = (byte) (p[i] ^ mask[i & 3]);
    }
    out.write(f);
  }

  void flush() throws IOException {
    out.flush();
  }

  /**
   * Reads one frame and returns its opcode (its payload is skipped), or -1 at the end of the stream.
   * A read that times out throws {@link java.net.SocketTimeoutException}.
   */
  int readFrame() throws IOException {
    int b0 = in.read();
    int b1 = in.read();
    if (b0 < 0 || b1 < 0) {
      return -1;
    }
    long len = b1 & 0x7f;
    if (len == 126) {
      len = (in.read() << 8) | in.read();
    } else if (len == 127) {
      len = 0;
      for (int i = 0; i < 8; i++) {
        len = (len << 8) | in.read();
      }
    }
    in.skipNBytes(len);
    return b0 & 0x0f;
  }

  /**
   * A close frame (1000), then what is still on its way read to the end (the server's close frame
   * and FIN) within the read timeout, so that the connection ends cleanly and not with a reset.
   */
  @Override
  public void close() {
    try {
      ThreadLocalRandom.current().nextBytes(mask);
      out.write(new byte[] {(byte) 0x88, (byte) 0x82, mask[0], mask[1], mask[2], mask[3],
          (byte) (0x03 ^ mask[0]), (byte) (0xe8 ^ mask[1])});
      out.flush();
      socket.shutdownOutput();
      while (in.read(new byte[8_192]) >= 0) {
        // the rest of the stream, up to the server's FIN
      }
    } catch (IOException ignored) {
      // closing anyway
    }
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing left to do
    }
  }
}
