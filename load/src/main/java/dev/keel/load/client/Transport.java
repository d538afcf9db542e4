package dev.keel.load.client;

/** How a client speaks to the server: WebSocket text frames, or 4-byte length-prefixed frames. */
public enum Transport {
  WS, TCP
}
