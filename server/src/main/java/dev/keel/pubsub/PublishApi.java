package dev.keel.pubsub;

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
   * @return null when published ({@code onQueued} will be called with the delivered count), or the
   *     JSON error body for a 400 answer
   */
  public String publish(byte[] body, IntConsumer onQueued) {
    Protocol.Request r;
    try {
      r = Protocol.parsePublishBody(body);
    } catch (ProtocolException e) {
      return "{\"error\":\"" + e.code() + "\",\"message\":" + quote(e.getMessage()) + "}";
    }
    topics.publish(r.topic(), Protocol.compact(r.data()), onQueued);
    return null;
  }

  private static String quote(String s) {
    return Protocol.JSON.getNodeFactory().textNode(s).toString();
  }
}
