package dev.keel.pubsub;

import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * The body of {@code POST /api/publish}: {@code {"topic":T,"data":ANY}} → {@code {"delivered":N}}.
 * Kept here, beside the protocol, so that the HTTP transport only moves bytes.
 */
public final class PublishApi {
  private final TopicRegistry topics;

  public PublishApi(TopicRegistry topics) {
    this.topics = topics;
  }

  /**
   * Publishes the message in {@code body}.
   *
   * @param onUnavailable called instead of {@code onQueued} (cluster mode) with the JSON body of a 503
   * @return null when published ({@code onQueued} will be called with the delivered count), or the
   *     JSON error body for a 400 answer
   */
  public String publish(byte[] body, IntConsumer onQueued, Consumer<String> onUnavailable) {
    Protocol.Request r;
    try {
      r = Protocol.parsePublishBody(body);
    } catch (ProtocolException e) {
      return "{\"error\":\"" + e.code() + "\",\"message\":" + quote(e.getMessage()) + "}";
    }
    topics.publish(r.topic(), Protocol.compact(r.data()), onQueued,
        reason -> onUnavailable.accept("{\"error\":\"unavailable\",\"message\":" + quote(reason) + "}"));
    return null;
  }

  /** The {@code /healthz} body's status: null alone, else whether the cluster relay (Redis) is up. */
  public Boolean clusterUp() {
    TopicRegistry.Relay r = topics.relay();
    return r == null ? null : r.available();
  }

  private static String quote(String s) {
    return Protocol.JSON.getNodeFactory().textNode(s).toString();
  }
}
