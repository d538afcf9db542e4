package dev.keel.transport;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import io.netty.channel.Channel;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.File;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * TLS for both listeners, from PEM files: OpenSSL (BoringSSL, from netty-tcnative) when it loads, the
 * JDK's engine otherwise. The TLS handshake happens inside the connection's handshake timeout.
 *
 * <p>Usage: {@code Tls tls = Tls.from(config); ... tls.addTo(channel)} (a no-op without TLS).
 */
public final class Tls {
  private final SslContext context;
  private final long handshakeTimeoutMillis;

  private Tls(SslContext context, long handshakeTimeoutMillis) {
    this.context = context;
    this.handshakeTimeoutMillis = handshakeTimeoutMillis;
  }

  /** TLS as configured, or null when {@code tls-cert} is not set. */
  public static Tls from(KeelConfig config) throws SSLException {
    if (config.get(CoreOptions.TLS_CERT) == null) {
      return null;
    }
    SslContext ctx = SslContextBuilder.forServer(new File(config.get(CoreOptions.TLS_CERT)), new File(config.get(CoreOptions.TLS_KEY)))
        .sslProvider(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK)
        .build();
    return new Tls(ctx, config.get(CoreOptions.HANDSHAKE_TIMEOUT).toMillis());
  }

  /** "openssl" or "jdk". */
  public String provider() {
    return OpenSsl.isAvailable() ? "openssl" : "jdk";
  }

  /** Puts the TLS handler first in the channel's pipeline. */
  public void addTo(Channel ch) {
    SslHandler ssl = context.newHandler(ch.alloc());
    ssl.setHandshakeTimeout(handshakeTimeoutMillis, TimeUnit.MILLISECONDS);
    ch.pipeline().addFirst("tls", ssl);
  }
}
