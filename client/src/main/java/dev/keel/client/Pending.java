package dev.keel.client;

import java.util.concurrent.CompletableFuture;

/** A publish waiting for its {@code ok}, or for a connection (offline). */
record Pending(long id, String topic, String frame, CompletableFuture<Void> done) {}
