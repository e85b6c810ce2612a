import { IntegrationResolver } from './integration.resolver';
import { LinkedAccountResolver } from './linked-account.resolver';
import { SessionTokenResolver } from './session-token.resolver';
import { ViewerResolver } from './viewer.resolver';

export const resolvers = [SessionTokenResolver, ViewerResolver, LinkedAccountResolver, IntegrationResolver] as const;
