package dev.keel.client;

/**
 * One message of a subscribed topic, as the server numbered it.
 *
 * <p>Usage: {@code client.subscribe("news", m -> System.out.println(m.seq() + " " + m.data()))}
 *
 * @param data the message's JSON value, exactly as the server sent it
 */
public record Message(String topic, long seq, String data) {}
