package dev.keel.spi;

import io.netty.channel.Channel;

/**
 * Admission of an extension's listener's sockets into the server's socket budget
 * ({@code max-sockets}), from a reserve the public listeners cannot take, with a cap per client
 * address. Thread-safe.
 *
 * <p>Usage, in the listener's {@code initChannel}: {@code if (!gate.admit(ch)) { ch.close(); return; }},
 * and once bound: {@code gate.listening(serverChannel)}.
 */
public interface SocketGate {
  /**
   * Takes a place for {@code ch} (given back when it closes), or refuses it: the reserve is full, or
   * its address has its share. A refused socket must be closed at once, before any byte is read.
   */
  boolean admit(Channel ch);

  /**
   * Watches the bound {@code serverChannel}: an accept that fails (EMFILE, say) is logged once a
   * second at most, and never as a stack trace at the end of its pipeline; Netty pauses accepting for
   * a second meanwhile.
   */
  void listening(Channel serverChannel);
}
