package dev.keel.config;

import java.util.Locale;

/**
 * Which Netty transport runs the event loops. {@code epoll} is the default and what every test runs
 * on; {@code io_uring} submits many sockets' writes per system call and used about 30% less server
 * CPU per delivered message in docs/benchmarks.md; {@code nio} is the portable fallback. A native
 * transport the machine cannot load falls back to the next one, with a warning.
 */
public enum IoTransport implements Option.Named {
  EPOLL,
  IO_URING,
  NIO;

  /** The option's spelling: {@code epoll}, {@code io_uring}, {@code nio}. */
  @Override
  public String optionName() {
    return name().toLowerCase(Locale.ROOT);
  }

}
