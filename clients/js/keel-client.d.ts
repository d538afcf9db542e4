// Types for keel-client.js (docs/clients.md).

export type CloseKind =
  | 'normal' | 'going_away' | 'idle_timeout' | 'slow_consumer' | 'overloaded' | 'token_expired'
  | 'rate_limited' | 'too_large' | 'connection_lost' | 'liveness' | 'other';

export interface Message {
  topic: string;
  seq: number;
  /** The message's JSON value, parsed. */
  data: unknown;
}

export type ClientEvent =
  | { type: 'connected'; attempt: number }
  | { type: 'disconnected'; code: number; reason: string; kind: CloseKind; beforeOpen: boolean }
  | { type: 'reconnecting'; attempt: number; delay: number; cause: CloseKind }
  | { type: 'subscribed'; topic: string; epoch: string | null; seq: number; attempted: boolean; recovered: boolean; reason: string | null }
  | { type: 'subscribeFailed'; topic: string; code: string; message: string }
  | { type: 'gap'; topic: string; expected: number; received: number }
  | { type: 'bufferOverflow'; topic: string; bound: number }
  | { type: 'tokenRefreshed'; exp: number }
  | { type: 'handlerFailed'; topic: string; seq: number; error: unknown }
  | { type: 'serverError'; code: string; message: string }
  | { type: 'stopped'; kind: CloseKind; why: string };

export interface ClientOptions {
  /** ws://host:8080/ws or wss://... */
  url: string;
  /** A connect token, fetched before each connection and before expiry (sent as ?token=). */
  token?: () => string | null | Promise<string | null>;
  onEvent?: (e: ClientEvent) => void;
  /** Any WHATWG-style WebSocket class; default globalThis.WebSocket. */
  WebSocket?: unknown;
  /** Default 500. */
  initialBackoffMs?: number;
  /** Default 30000. */
  maxBackoffMs?: number;
  /** Default 10000: a connection not open by then (TCP connect and upgrade) is given up and retried. */
  connectTimeoutMs?: number;
  /** Default 15000. */
  pingIntervalMs?: number;
  /** Default 10000. */
  pingTimeoutMs?: number;
  /** Default 30000. */
  tokenRefreshAheadMs?: number;
  /** Publishes kept while offline; default 1000. */
  offlineBuffer?: number;
  /** Resubscribe with since after a reconnect; default true. */
  recover?: boolean;
  /** The backoff's random source in [0, 1); default Math.random. */
  random?: () => number;
}

export declare function closeKind(code: number, reason?: string): CloseKind;

export declare class Backoff {
  constructor(initialMs: number, maxMs: number, random?: () => number);
  attempt: number;
  next(overloaded?: boolean): number;
  reset(): void;
}

export declare class KeelError extends Error {
  readonly code: string;
}

export declare class KeelClient {
  constructor(options: ClientOptions);
  subscribe(topic: string, handler: (m: Message) => void): void;
  unsubscribe(topic: string): void;
  publish(topic: string, data: unknown): Promise<void>;
  close(): void;
}
