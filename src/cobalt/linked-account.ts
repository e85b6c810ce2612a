import type { LinkedAccountWire } from './cobalt.wire';

/** What Cobalt stores about a user besides the id: a display name and user-defined fields. */
export interface LinkedAccountProfile {
  readonly name?: string;
  /**
   * Sent as strings: Cobalt documents `udf` as an object of string values
   * (docs/cobalt-contract.md#linked-accounts).
   */
  readonly udf?: Readonly<Record<string, string>>;
}

/** A linked account as Cobalt stores it. */
export interface CobaltLinkedAccount {
  readonly accountId: string;
  readonly name: string | null;
  readonly environment: string | null;
  readonly udf: readonly { readonly key: string; readonly value: string }[];
  readonly createdAt: Date | null;
  /** True when the upsert created the account (only Cobalt's newer answers say). */
  readonly newAccount: boolean | null;
}

export function toLinkedAccount(wire: LinkedAccountWire): CobaltLinkedAccount {
  return {
    accountId: wire.account_id,
    name: wire.name ?? null,
    environment: wire.environment ?? null,
    udf: (wire.udf ?? []).map((entry) => ({ key: entry.key_name, value: stringify(entry.key_value) })),
    createdAt: toDate(wire.createdAt),
    newAccount: wire.new_account ?? null,
  };
}

function stringify(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // JSON.stringify answers undefined for undefined, whatever its declared type says.
  const json = JSON.stringify(value) as string | undefined;
  return json ?? '';
}

export function toDate(value: string | null | undefined): Date | null {
  if (value === undefined || value === null) return null;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : new Date(at);
}
