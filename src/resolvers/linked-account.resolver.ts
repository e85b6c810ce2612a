import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { GatewayContext } from '../auth/context';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import { codePoints, isCleanText } from '../auth/profile-claims';
import type { Viewer } from '../auth/viewer';
import type { CobaltDataSource } from '../cobalt/cobalt.data-source';
import type { LinkedAccountProfile } from '../cobalt/linked-account';
import { ErrorCode } from '../errors/error-code';
import { GatewayError } from '../errors/gateway-error';
import type { IntegrationsService } from '../integrations/integrations.service';
import type { MintRateLimits } from '../rate-limits/rate-limits';
import { LinkedAccount, LinkedAccountInput, UserDefinedField } from './linked-account.type';

const MAX_NAME = 256;
const MAX_UDF_ENTRIES = 50;
const MAX_UDF_VALUE = 1024;
const UDF_KEY = /^[\x21-\x7e]{1,128}$/;
const CONTROL = /[\p{Cc}\p{Cs}\u2028\u2029]/u;

/** Checks the input and shapes it for Cobalt; throws BAD_USER_INPUT naming nothing of the input. */
export function toProfile(input: LinkedAccountInput): LinkedAccountProfile {
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

@Resolver(() => LinkedAccount)
export class LinkedAccountResolver {
  constructor(
    private readonly cobalt: Pick<CobaltDataSource, 'upsertLinkedAccount'>,
    private readonly integrations: Pick<IntegrationsService, 'invalidate'>,
    private readonly limits: MintRateLimits,
  ) {}

  @Mutation(() => LinkedAccount, {
    description:
      "Creates the signed-in user's Cobalt linked account, or updates its name and merges its user-defined fields. The account is always the one your bearer token names.",
  })
  async upsertLinkedAccount(
    @CurrentViewer() viewer: Viewer,
    @Arg('input', () => LinkedAccountInput, { description: 'What to store.' }) input: LinkedAccountInput,
    @Ctx() context: GatewayContext,
  ): Promise<LinkedAccount> {
    const profile = toProfile(input);
    // Every call is a Cobalt call drawing on the org's budget: one user must not be able to spend it.
    await this.limits.check(viewer.linkedAccountId, context.clientIp);
    try {
      const account = await this.cobalt.upsertLinkedAccount(viewer.linkedAccountId, profile);
      return Object.assign(new LinkedAccount(), {
        accountId: account.accountId,
        name: account.name,
        environment: account.environment,
        udf: account.udf.map((entry) => Object.assign(new UserDefinedField(), entry)),
        createdAt: account.createdAt,
      });
    } finally {
      // Even a failed upsert may have reached Cobalt; a fresh list costs one call.
      await this.integrations.invalidate(viewer.linkedAccountId);
    }
  }
}
