import { SessionTokenResolver } from './session-token.resolver';
import { ViewerResolver } from './viewer.resolver';

export const resolvers = [SessionTokenResolver, ViewerResolver] as const;
