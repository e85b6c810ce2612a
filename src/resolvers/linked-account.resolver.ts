import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { GatewayContext } from '../auth/context';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import type { Viewer } from '../auth/viewer';
import type { LinkedAccountService } from '../linked-accounts/linked-account.service';
import { LinkedAccount, LinkedAccountInput, UserDefinedField } from './linked-account.type';

@Resolver(() => LinkedAccount)
export class LinkedAccountResolver {
  constructor(private readonly linkedAccounts: Pick<LinkedAccountService, 'upsert'>) {}

  @Mutation(() => LinkedAccount, {
    description:
      "Creates the signed-in user's Cobalt linked account, or updates its name and merges its user-defined fields. The account is always the one your bearer token names.",
  })
  async upsertLinkedAccount(
    @CurrentViewer() viewer: Viewer,
    @Arg('input', () => LinkedAccountInput, { description: 'What to store.' }) input: LinkedAccountInput,
    @Ctx() context: GatewayContext,
  ): Promise<LinkedAccount> {
    const account = await this.linkedAccounts.upsert(viewer, context.clientIp, input);
    return Object.assign(new LinkedAccount(), {
      accountId: account.accountId,
      name: account.name,
      environment: account.environment,
      udf: account.udf.map((entry) => Object.assign(new UserDefinedField(), entry)),
      createdAt: account.createdAt,
    });
  }
}
