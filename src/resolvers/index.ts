import type { ContainerType } from 'type-graphql';
import type { IntegrationsService } from '../integrations/integrations.service';
import type { LinkedAccountService } from '../linked-accounts/linked-account.service';
import type { ViewerSessionTokens } from '../session-tokens/viewer-session-tokens';
import { IntegrationResolver } from './integration.resolver';
import { LinkedAccountResolver } from './linked-account.resolver';
import { SessionTokenResolver } from './session-token.resolver';
import { ViewerResolver } from './viewer.resolver';

/** Every resolver class of the schema. */
export const resolvers = [SessionTokenResolver, ViewerResolver, LinkedAccountResolver, IntegrationResolver] as const;

/** The services the resolvers map GraphQL onto. */
export interface ResolverServices {
  readonly sessionTokens: Pick<ViewerSessionTokens, 'mint' | 'revoke'>;
  readonly linkedAccounts: Pick<LinkedAccountService, 'upsert'>;
  readonly integrations: Pick<IntegrationsService, 'listFor' | 'findFor' | 'connectFor'>;
}

/**
 * Hands type-graphql one instance of each resolver, built with its services. Throws at start, not
 * on the first request, when a class of `resolvers` has no instance here.
 */
export function createResolverContainer(services: ResolverServices): ContainerType {
  const instances: readonly object[] = [
    new SessionTokenResolver(services.sessionTokens),
    new ViewerResolver(),
    new LinkedAccountResolver(services.linkedAccounts),
    new IntegrationResolver(services.integrations),
  ];
  const byClass = new Map<unknown, object>(instances.map((instance) => [instance.constructor, instance]));
  const missing = resolvers.filter((resolverClass) => !byClass.has(resolverClass));
  if (missing.length > 0) throw new Error(`no instance for ${missing.map((c) => c.name).join(', ')}`);
  return { get: (resolverClass: unknown) => byClass.get(resolverClass) };
}
