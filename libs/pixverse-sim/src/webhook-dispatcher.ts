import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { WebhookCounters } from './stats.js';
import type { WebhookOptions } from './types.js';
import { signWebhook } from './webhook-signature.js';

const MAX_PARALLEL = 16;

interface Delivery {
  body: string;
  attempt: number;
}

/**
 * Delivers signed webhooks off the request path: a bounded number in parallel, the rest
 * queued; a failed attempt (network error or non-2xx) is retried with doubling backoff.
 */
export class WebhookDispatcher {
  readonly counters: WebhookCounters = { delivered: 0, failed: 0, attempts: 0, pending: 0 };
  private readonly queue: Delivery[] = [];
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private readonly aborts = new Set<AbortController>();
  private running = 0;
  private stopped = false;

  constructor(
    private readonly opts: WebhookOptions,
    private readonly logger: FastifyBaseLogger,
  ) {}

  enqueue(payload: Record<string, unknown>): void {
    if (this.stopped) return;
    this.counters.pending++;
    this.queue.push({ body: JSON.stringify(payload), attempt: 1 });
    this.pump();
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.retryTimers) clearTimeout(t);
    for (const a of this.aborts) a.abort();
    this.retryTimers.clear();
    this.queue.length = 0;
  }

  /** Drops queued deliveries and zeroes the counters (a reset forgets its generations). */
  clear(): void {
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    this.queue.length = 0;
    Object.assign(this.counters, { delivered: 0, failed: 0, attempts: 0, pending: this.running });
  }

  private pump(): void {
    while (!this.stopped && this.running < MAX_PARALLEL && this.queue.length > 0) {
      const d = this.queue.shift()!;
      this.running++;
      void this.attempt(d).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async attempt(d: Delivery): Promise<void> {
    this.counters.attempts++;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomUUID();
    const abort = new AbortController();
    this.aborts.add(abort);
    const timer = setTimeout(() => abort.abort(), this.opts.timeoutMs ?? 5000);
    let error: string | undefined;
    try {
      const res = await fetch(this.opts.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'webhook-timestamp': timestamp,
          'webhook-nonce': nonce,
          'webhook-signature': signWebhook(this.opts.secret, timestamp, nonce, d.body),
        },
        body: d.body,
        signal: abort.signal,
      });
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) error = `HTTP ${res.status}`;
    } catch (err) {
      error = (err as Error).message;
    } finally {
      clearTimeout(timer);
      this.aborts.delete(abort);
    }
    if (error === undefined) return this.done('delivered');
    this.retryOrGiveUp(d, error);
  }

  private retryOrGiveUp(d: Delivery, error: string): void {
    if (this.stopped) return;
    if (d.attempt >= (this.opts.maxAttempts ?? 4)) {
      this.logger.warn({ attempts: d.attempt, error }, 'webhook delivery failed');
      this.done('failed');
      return;
    }
    const delay = (this.opts.backoffMs ?? 500) * 2 ** (d.attempt - 1);
    const t = setTimeout(() => {
      this.retryTimers.delete(t);
      this.queue.push({ body: d.body, attempt: d.attempt + 1 });
      this.pump();
    }, delay);
    t.unref();
    this.retryTimers.add(t);
  }

  private done(outcome: 'delivered' | 'failed'): void {
    this.counters[outcome]++;
    this.counters.pending--;
  }
}
