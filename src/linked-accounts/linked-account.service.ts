import { codePoints, isCleanText } from '../auth/profile-claims';
import type { Viewer } from '../auth/viewer';
import type { CobaltDataSource } from '../cobalt/cobalt.data-source';
import type { CobaltLinkedAccount, LinkedAccountProfile } from '../cobalt/linked-account';
import { ErrorCode } from '../errors/error-code';
import { GatewayError } from '../errors/gateway-error';
import type { IntegrationsService } from '../integrations/integrations.service';
import type { MintRateLimits } from '../rate-limits/rate-limits';

/**
 * The viewer's linked account as this service answers it. The GraphQL layer sees only this type, so
 * a change to the Cobalt client's shapes stops here instead of reaching the schema.
 */
export interface UserLinkedAccount {
  readonly accountId: string;
  readonly name: string | null;
  /** Cobalt's data environment (`test` or `production`). */
  readonly environment: string | null;
  readonly udf: readonly { readonly key: string; readonly value: string }[];
  readonly createdAt: Date | null;
}

/** What a user asks to store on their linked account. */
export interface ProfileInput {
  readonly name?: string | null;
  readonly udf?: readonly { readonly key: string; readonly value: string }[] | null;
}

// Cobalt documents no bounds; these keep one request from storing (and us from sending) megabytes.
const MAX_NAME = 256;
const MAX_UDF_ENTRIES = 50;
const MAX_UDF_VALUE = 1024;
const UDF_KEY = /^[\x21-\x7e]{1,128}$/;
const CONTROL = /[\p{Cc}\p{Cs}\u2028\u2029]/u;

/** Checks the input and shapes it for Cobalt; throws BAD_USER_INPUT naming nothing of the input. */
export function toProfile(input: ProfileInput): LinkedAccountProfile {
  const bad = () => new GatewayError(ErrorCode.BAD_USER_INPUT);
  const { name, udf } = input;
  if (name !== null && name !== undefined && !isCleanText(name, MAX_NAME)) throw bad();
  let fields: Record<string, string> | undefined;
  if (udf !== null && udf !== undefined) {
    if (udf.length > MAX_UDF_ENTRIES) throw bad();
    fields = {};
    for (const { key, value } of udf) {
      if (!UDF_KEY.test(key) || Object.hasOwn(fields, key)) throw bad();
      if (codePoints(value) > MAX_UDF_VALUE || CONTROL.test(value)) throw bad();
      fields[key] = value;
    }
  }
  return { ...(name !== null && name !== undefined && { name }), ...(fields !== undefined && { udf: fields }) };
}

/** The signed-in user's own Cobalt linked account. */
export class LinkedAccountService {
  constructor(
    private readonly deps: {
      readonly cobalt: Pick<CobaltDataSource, 'upsertLinkedAccount'>;
      readonly integrations: Pick<IntegrationsService, 'invalidate'>;
      readonly limits: MintRateLimits;
    },
  ) {}

  /** Creates the viewer's account or updates its name and merges its user-defined fields. */
  async upsert(viewer: Viewer, clientIp: string, input: ProfileInput): Promise<UserLinkedAccount> {
    const profile = toProfile(input);
    // Every call is a Cobalt call drawing on the org's budget: one user must not be able to spend it.
    await this.deps.limits.check(viewer.linkedAccountId, clientIp);
    try {
      return toUserLinkedAccount(await this.deps.cobalt.upsertLinkedAccount(viewer.linkedAccountId, profile));
    } finally {
      // Even a failed upsert may have reached Cobalt; a fresh list costs one call.
      await this.deps.integrations.invalidate(viewer.linkedAccountId);
    }
  }
}

function toUserLinkedAccount(account: CobaltLinkedAccount): UserLinkedAccount {
  return {
    accountId: account.accountId,
    name: account.name,
    environment: account.environment,
    udf: account.udf.map(({ key, value }) => ({ key, value })),
    createdAt: account.createdAt,
  };
}
