import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import type { GraphQLFormattedError, GraphQLSchema, ValidationRule } from 'graphql';
import type { GatewayContext } from '../auth/context';
import { DOCUMENT_LIMITS, documentLimitsRule, hideTokenLimit } from './document-limits';
import { singleMintPerOperationRule } from './single-mint.rule';
import { supportedOperationRule } from './supported-operation.rule';

export type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** Our rules, after graphql-js's specified ones. documentLimitsRule first: see the rule. */
export const GATEWAY_VALIDATION_RULES: readonly ValidationRule[] = [
  documentLimitsRule,
  supportedOperationRule,
  singleMintPerOperationRule,
];

/** The `formatError` Apollo runs: the trusted-documents fast path formats its errors with the same one. */
export function gatewayFormatError(formatError: FormatError): FormatError {
  return (formatted, error) => formatError(hideTokenLimit(formatted), error);
}

export interface ApolloOptions {
  readonly schema: GraphQLSchema;
  readonly introspection: boolean;
  readonly formatError: FormatError;
  readonly plugins: ApolloServerPlugin<GatewayContext>[];
}

/**
 * Every security-relevant Apollo option is set explicitly: some defaults depend on NODE_ENV
 * (introspection is on unless it is `production`, stack traces are sent unless it is `production` or
 * `test`), and a production posture must not hinge on one environment variable.
 */
export function createApolloServer(options: ApolloOptions): ApolloServer<GatewayContext> {
  return new ApolloServer<GatewayContext>({
    schema: options.schema,
    introspection: options.introspection,
    includeStacktraceInErrorResponses: false,
    // Strips "Did you mean …?" hints, which leak field names even with introspection off.
    hideSchemaDetailsFromClientErrors: true,
    allowBatchedHttpRequests: false,
    // No automatic persisted queries: our clients send their few documents in full, and APQ would let
    // anyone store documents in the server's cache. Its malformed-hash errors also carry no code, so
    // they surfaced as INTERNAL_SERVER_ERROR with an error-level log line per request (found by fuzzing).
    persistedQueries: false,
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
    formatError: gatewayFormatError(options.formatError),
    // Parsing stops at the token limit (a 400 GRAPHQL_PARSE_FAILED), before validation sees the document.
    parseOptions: { maxTokens: DOCUMENT_LIMITS.maxTokens },
    validationRules: [...GATEWAY_VALIDATION_RULES],
    // main.ts owns shutdown; Apollo's own SIGTERM handler would race it and re-raise the signal.
    stopOnTerminationSignals: false,
  });
}
