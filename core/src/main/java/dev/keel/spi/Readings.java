package dev.keel.spi;

import java.util.List;

/**
 * The server's own counters and levels, read at call time from lock-free adders: cheap enough for a
 * metrics scrape or a once-a-second dashboard tick. Counters only rise; levels go up and down.
 */
public interface Readings {
  /** The transports, as labels: {@code ws}, {@code tcp}. */
  List<String> transports();

  /** Established connections on a transport now (a level). */
  long connections(String transport);

  /** Connections established on a transport since start. */
  long opened(String transport);

  /** Inbound messages handed to the application on a transport. */
  long received(String transport);

  /** Connections on a transport that ended for the reason {@code label} (docs/protocol.md's labels). */
  long closed(String transport, String label);

  /** Every close-reason label, in a stable order. */
  List<String> closeLabels();

  /** Slots of {@code max-connections} in use: established connections plus handshakes under way. */
  long reservedSlots();

  long published();

  /** Messages queued to a subscriber connection. */
  long delivered();

  /** Messages dropped by the slow-consumer policy. */
  long dropped();

  /** Inbound messages held back by the rate limit. */
  long rateLimited();

  /** Bytes queued in user space over all connections (a level). */
  long queuedBytes();

  /** Topics with at least one local subscriber (a level). */
  int topics();

  /** Subscriptions over all topics (a level). */
  long subscriptions();

  /** Subscribers of one topic (0 when there is no such topic here). */
  int subscribers(String topic);

  /** The memory budget, in bytes ({@code memory-budget}, resolved). */
  long memoryBudget();

  /** The kinds of accounted memory, as labels: {@code connections}, {@code outbound}, ... */
  List<String> memoryKinds();

  /** Bytes accounted to the memory budget for one kind now (a level). */
  long memoryAccounted(String kind);

  /** The memory budget's stage: 0 normal, 1 high, 2 shed (a level). */
  int overloadStage();

  /** The actions of the stages, as labels: {@code refused}, {@code rejected}, {@code paused}, {@code closed}. */
  List<String> shedActions();

  /** Times the stages took an action since start. */
  long shed(String action);

  /** Messages kept in topic history for recovery, over all topics (a level). */
  long historyMessages();

  /** Bytes of topic history, as charged to the memory budget (a level). */
  long historyBytes();

  /** Why history loses messages, as labels: {@code size}, {@code bytes}, {@code ttl}, {@code budget}, ... */
  List<String> historyTrimCauses();

  /** Messages trimmed from history for one cause since start. */
  long historyTrimmed(String cause);

  /** {@code sub} requests with a {@code since} position (recoveries attempted) since start. */
  long recoveriesAttempted();

  long recoveriesSucceeded();

  /** Why a recovery fails, as labels: {@code epoch_changed}, {@code too_far_behind}, {@code expired}, ... */
  List<String> recoveryFailureReasons();

  long recoveriesFailed(String reason);

  /** The number of subscribers each publish went to is told to {@code recorder} from now on. */
  void fanOutRecorder(java.util.function.IntConsumer recorder);
}
