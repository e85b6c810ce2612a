import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../auth/context';
import { singleMintPerOperationRule } from './single-mint.rule';

export interface ApolloOptions {
  readonly schema: GraphQLSchema;
  readonly introspection: boolean;
  readonly formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  readonly plugins: ApolloServerPlugin<GatewayContext>[];
}

/**
 * Every security-relevant Apollo option is set explicitly: its defaults depend on NODE_ENV
 * (RELIABILITY.md §0.6), and a production posture must not hinge on one environment variable.
 */
export function createApolloServer(options: ApolloOptions): ApolloServer<GatewayContext> {
  return new ApolloServer<GatewayContext>({
    schema: options.schema,
    introspection: options.introspection,
    includeStacktraceInErrorResponses: false,
    // Strips "Did you mean …?" hints, which leak field names even with introspection off.
    hideSchemaDetailsFromClientErrors: true,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    plugins: [
      // The default landing page loads Apollo Sandbox from a CDN, which an offline machine cannot reach.
      ApolloServerPluginLandingPageDisabled(),
      // Cache control wraps every field resolver to collect hints, and could set a Cache-Control header
      // over our no-store; nothing here is cacheable, so it only costs CPU on every request.
      ApolloServerPluginCacheControlDisabled(),
      // Reporting to Apollo's cloud would start on APOLLO_KEY alone; operations must not leave the
      // gateway because of an environment variable. Inline traces are for federated subgraphs only.
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      ApolloServerPluginInlineTraceDisabled(),
      ...options.plugins,
    ],
    formatError: options.formatError,
    validationRules: [singleMintPerOperationRule],
    // main.ts owns shutdown; Apollo's own SIGTERM handler would race it and re-raise the signal.
    stopOnTerminationSignals: false,
  });
}
