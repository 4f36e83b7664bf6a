import type { AccountSpec } from './types.js';
import { keyId } from './key-id.js';

export interface Account {
  apiKey: string;
  keyId: string;
  accountId: number;
  credits: number;
  maxConcurrent: number;
  /** Generations holding a concurrency slot (status 5, slot not yet freed by the provider). */
  inFlight: number;
}

/** Accounts keyed by API key; updating one keeps its in-flight count. */
export class AccountStore {
  private readonly byKey = new Map<string, Account>();
  private nextAccountId = 100001;

  upsert(spec: AccountSpec): Account {
    const existing = this.byKey.get(spec.apiKey);
    if (existing) {
      existing.credits = spec.credits;
      existing.maxConcurrent = spec.maxConcurrent;
      return existing;
    }
    const account: Account = {
      apiKey: spec.apiKey,
      keyId: keyId(spec.apiKey),
      accountId: this.nextAccountId++,
      credits: spec.credits,
      maxConcurrent: spec.maxConcurrent,
      inFlight: 0,
    };
    this.byKey.set(spec.apiKey, account);
    return account;
  }

  /** Takes back an account from a state file, with its id and credits (its in-flight count follows its generations). */
  restore(saved: Omit<Account, 'keyId' | 'inFlight'>): void {
    this.byKey.set(saved.apiKey, { ...saved, keyId: keyId(saved.apiKey), inFlight: 0 });
    this.nextAccountId = Math.max(this.nextAccountId, saved.accountId + 1);
  }

  get(apiKey: string): Account | undefined {
    return this.byKey.get(apiKey);
  }

  all(): IterableIterator<Account> {
    return this.byKey.values();
  }

  resetInFlight(): void {
    for (const a of this.byKey.values()) a.inFlight = 0;
  }

  clear(): void {
    this.byKey.clear();
  }
}
