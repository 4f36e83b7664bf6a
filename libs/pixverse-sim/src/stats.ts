import { createHash } from 'node:crypto';
import type { AccountStore } from './accounts.js';
import type { GenerationParams } from './params.js';
import type { EndpointName, FaultKind, SimStats } from './types.js';

const FINGERPRINT_FIELDS = [
  'prompt',
  'negative_prompt',
  'model',
  'quality',
  'duration',
  'aspect_ratio',
  'seed',
  'img_id',
  'motion_mode',
  'style',
] as const;
const MAX_LISTED_DUPLICATES = 1000;

/** sha256 (first 16 hex) of the canonical JSON of the fields that make two submissions "the same". */
export function fingerprint(p: GenerationParams): string {
  const canonical = JSON.stringify(FINGERPRINT_FIELDS.map((f) => [f, p[f] ?? null]));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

export interface WebhookCounters {
  delivered: number;
  failed: number;
  attempts: number;
  pending: number;
}

function increment<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** Counters for `GET /__sim/stats`; accounts are named by keyId, never by key. */
export class StatsRecorder {
  private submissions = new Map<string, number>();
  private seen = new Set<string>();
  private duplicateList: string[] = [];
  private duplicates = 0;
  private total = 0;
  private calls = new Map<string, number>();
  private faults = new Map<string, number>();
  private traceIds = new Set<string>();
  private reusedTraceIds = 0;

  call(endpoint: EndpointName): void {
    increment(this.calls, endpoint);
  }

  fault(kind: FaultKind): void {
    increment(this.faults, kind);
  }

  /** Records a submit-time trace id; true when an accepted submit already used it. */
  traceIdReused(traceId: string): boolean {
    if (!this.traceIds.has(traceId)) {
      this.traceIds.add(traceId);
      return false;
    }
    this.reusedTraceIds++;
    return true;
  }

  /** Trace ids of accepted submits: the provider remembers them across a restart, and so does a state file. */
  knownTraceIds(): string[] {
    return [...this.traceIds];
  }

  rememberTraceIds(ids: Iterable<string>): void {
    for (const id of ids) this.traceIds.add(id);
  }

  accepted(keyId: string, params: GenerationParams): void {
    this.total++;
    increment(this.submissions, keyId);
    const fp = fingerprint(params);
    if (!this.seen.has(fp)) {
      this.seen.add(fp);
      return;
    }
    this.duplicates++;
    if (this.duplicateList.length < MAX_LISTED_DUPLICATES && !this.duplicateList.includes(fp))
      this.duplicateList.push(fp);
  }

  snapshot(accounts: AccountStore, webhooks: WebhookCounters): SimStats {
    const in_flight: Record<string, number> = {};
    const credits: Record<string, number> = {};
    for (const a of accounts.all()) {
      in_flight[a.keyId] = a.inFlight;
      credits[a.keyId] = a.credits;
    }
    return {
      at_ms: Date.now(),
      submissions: Object.fromEntries(this.submissions),
      in_flight,
      credits,
      total_submissions: this.total,
      duplicates: this.duplicates,
      duplicate_fingerprints: [...this.duplicateList],
      calls: Object.fromEntries(this.calls),
      faults_injected: Object.fromEntries(this.faults),
      reused_trace_ids: this.reusedTraceIds,
      webhooks: { ...webhooks },
    };
  }

  clear(): void {
    this.submissions.clear();
    this.seen.clear();
    this.duplicateList = [];
    this.duplicates = 0;
    this.total = 0;
    this.calls.clear();
    this.faults.clear();
    this.traceIds.clear();
    this.reusedTraceIds = 0;
  }
}
