import { randomBytes } from 'node:crypto';
import type { Clock } from '../../infra/clock';

/** Cobalt's two data environments; an API key selects one (docs/cobalt-contract.md#authentication-and-environments). */
export type Environment = 'test' | 'production';

/** The org and data environment an API key (or a session token) speaks for. */
export interface ApiKeyOwner {
  readonly orgId: string;
  readonly environment: Environment;
}

/** Where Cobalt's documents disagree, the emulator can play either side; switchable at run time. */
export interface EmulatorSettings {
  /**
   * Lifetime of minted tokens: Cobalt's sample tokens last 72 h, its guide says 24 h
   * (docs/cobalt-contract.md#minting-a-session-token).
   */
  tokenTtlSeconds: number;
  /** Mint answer: `current` is `{token, refresh_token, expires_in, refresh_expires_in}`; `legacy` is `{token}`. */
  responseShape: 'current' | 'legacy';
  /**
   * Mint for an unknown linked account: older docs answer 500, current ones 400
   * INVALID_LINKED_ACCOUNT_ID (docs/cobalt-contract.md#unknown-linked-account).
   */
  unknownAccountStyle: 'legacy-500' | 'current-400';
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly search: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  readonly at: number;
}

/** A linked account in Cobalt's wire shape (docs/cobalt-contract.md#linked-accounts). */
export interface LinkedAccount {
  _id: string;
  associated_org: string;
  account_id: string;
  environment: Environment;
  name?: string;
  udf: { key_name: string; key_value: string; _id: string; createdAt: string; updatedAt: string }[];
  integrations: unknown[] | null;
  createdAt: string;
  updatedAt: string;
  __v: number;
}

/** Keeps the request log bounded: load tests send far more than any test reads back. */
const MAX_RECORDED = 10_000;
/** Cobalt keeps a connect-url body for 3 days (docs/cobalt-contract.md#applications-and-connect-urls). */
const HOSTED_PROPERTIES_TTL_MS = 3 * 24 * 3600_000;

export const objectId = (): string => randomBytes(12).toString('hex');
const keyOf = (environment: Environment, accountId: string): string => `${environment}:${accountId}`;

/**
 * What the emulated Cobalt holds besides its tokens: linked accounts, their connected apps,
 * connect-url bodies, and the log of requests received.
 */
export class EmulatorState {
  readonly requests: RecordedRequest[] = [];
  #receivedTotal = 0;
  readonly #accounts = new Map<string, LinkedAccount>();
  readonly #connected = new Map<string, Set<string>>();
  /** Bodies posted to /connect-url, keyed by the session token. */
  readonly #hostedProperties = new Map<string, { body: unknown; until: number }>();

  constructor(
    readonly settings: EmulatorSettings,
    private readonly clock: Clock,
  ) {}

  /** Every request counted since start, including those the bounded log has dropped. */
  get receivedTotal(): number {
    return this.#receivedTotal;
  }

  record(request: Omit<RecordedRequest, 'at'>): void {
    this.#receivedTotal += 1;
    if (this.requests.length >= MAX_RECORDED) this.requests.shift();
    this.requests.push({ ...request, at: this.clock.now() });
  }

  findAccount(environment: Environment, id: string): LinkedAccount | undefined {
    return this.#accounts.get(keyOf(environment, id));
  }

  deleteAccount(environment: Environment, id: string): void {
    this.#accounts.delete(keyOf(environment, id));
  }

  /** Creates the account or updates its name and merges its UDF entries by key, as Cobalt's upsert does. */
  upsertAccount(
    owner: ApiKeyOwner,
    id: string,
    input: { name?: string | undefined; udf?: Record<string, unknown> },
  ): LinkedAccount {
    const now = new Date(this.clock.now()).toISOString();
    const account: LinkedAccount = this.findAccount(owner.environment, id) ?? {
      _id: objectId(),
      associated_org: owner.orgId,
      account_id: id,
      environment: owner.environment,
      udf: [],
      integrations: null,
      createdAt: now,
      updatedAt: now,
      __v: 0,
    };
    if (input.name !== undefined) account.name = input.name;
    for (const [keyName, value] of Object.entries(input.udf ?? {})) {
      const existing = account.udf.find((u) => u.key_name === keyName);
      if (existing !== undefined) {
        existing.key_value = String(value);
        existing.updatedAt = now;
      } else {
        account.udf.push({
          key_name: keyName,
          key_value: String(value),
          _id: objectId(),
          createdAt: now,
          updatedAt: now,
        });
      }
    }
    account.updatedAt = now;
    this.#accounts.set(keyOf(owner.environment, id), account);
    return account;
  }

  /** One page of an environment's accounts in mongoose-paginate's envelope, as Cobalt lists them. */
  listAccounts(environment: Environment, page: number, limit: number) {
    const all = [...this.#accounts.values()].filter((a) => a.environment === environment);
    const totalPages = Math.max(1, Math.ceil(all.length / limit));
    return {
      docs: all.slice((page - 1) * limit, page * limit),
      totalDocs: all.length,
      limit,
      totalPages,
      page,
      pagingCounter: (page - 1) * limit + 1,
      hasPrevPage: page > 1,
      hasNextPage: page < totalPages,
      prevPage: page > 1 ? page - 1 : null,
      nextPage: page < totalPages ? page + 1 : null,
    };
  }

  connectApplication(environment: Environment, accountId: string, slug: string): void {
    const key = keyOf(environment, accountId);
    const set = this.#connected.get(key) ?? new Set<string>();
    set.add(slug);
    this.#connected.set(key, set);
  }

  connectedSlugs(environment: Environment, accountId: string): ReadonlySet<string> {
    return this.#connected.get(keyOf(environment, accountId)) ?? new Set();
  }

  /** Keeps a connect-url body for the hosted page, dropping those past Cobalt's retention. */
  keepHostedProperties(token: string, body: unknown): void {
    const now = this.clock.now();
    for (const [key, entry] of this.#hostedProperties) if (entry.until <= now) this.#hostedProperties.delete(key);
    this.#hostedProperties.set(token, { body, until: now + HOSTED_PROPERTIES_TTL_MS });
  }

  hostedProperties(token: string): unknown {
    return this.#hostedProperties.get(token)?.body;
  }

  /** Forgets what a test run leaves behind (the log, connect-url bodies); accounts and connected apps stay. */
  clearSession(): void {
    this.requests.length = 0;
    this.#hostedProperties.clear();
  }
}
