/**
 * Keel's embeddable engine. The public surface is three packages: {@code dev.keel.api} (what a
 * handler and an embedder use), {@code dev.keel.config} (the options) and {@code dev.keel.spi} (what
 * an extension such as keel-admin or keel-cluster-redis uses). Everything else is internal.
 */
module dev.keel.core {
  exports dev.keel.api;
  exports dev.keel.config;
  exports dev.keel.spi;

  // The SPI hands extensions Netty's loops and allocator: whoever reads this module reads those too.
  requires transitive io.netty.buffer;
  requires transitive io.netty.common;
  requires transitive io.netty.transport;
  requires io.netty.codec;
  requires io.netty.codec.http;
  requires io.netty.codec.haproxy;
  requires io.netty.handler;
  requires io.netty.transport.classes.epoll;
  requires io.netty.transport.unix.common; // a socket's descriptor, for SocketWrite
  requires io.netty.transport.classes.io_uring;
  requires com.fasterxml.jackson.core;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.dataformat.yaml;
  requires com.nimbusds.jose.jwt;
  requires org.slf4j;
  requires java.management; // heap-after-GC thresholds for the memory budget
  // The file-descriptor limit the socket budget is derived from (com.sun.management).
  requires jdk.management;
}
