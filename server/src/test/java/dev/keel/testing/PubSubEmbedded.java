package dev.keel.testing;

import dev.keel.config.CoreOptions;
import dev.keel.config.KeelConfig;
import dev.keel.pubsub.PubSubService;

/** {@link EmbeddedTcp} running the real pub/sub handler through the real embedding-API bridge. */
public final class PubSubEmbedded {
  private PubSubEmbedded() {}

  public static EmbeddedTcp tcp(KeelConfig config) {
    return EmbeddedTcp.api(config, topics -> new PubSubService(topics, config.get(CoreOptions.MAX_SUBSCRIPTIONS)));
  }
}
