import type { ApolloServer } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { GatewayContext } from '../auth/context';
import { createFormatError } from '../errors/format-error';
import type { Logger } from '../observability/logger';
import type { GatewayMetrics } from '../observability/metrics';
import { currentRequestId } from '../observability/request-scope';
import { createResolverContainer } from '../resolvers';
import { buildGatewaySchema } from '../schema/build-schema';
import { createApolloServer, gatewayFormatError, type FormatError } from '../server/apollo-server';
import {
  createOperationRecorder,
  createRequestLoggingPlugin,
  type AnsweredOperation,
} from '../server/request-logging.plugin';
import type { Services } from './services';

/** The GraphQL layer, and the pieces of it the trusted-documents fast path shares with Apollo. */
export interface GraphQLLayer {
  readonly apollo: ApolloServer<GatewayContext>;
  readonly schema: GraphQLSchema;
  /** Exactly the formatError Apollo runs. */
  readonly formatError: FormatError;
  /** Metrics and the log line per operation, as the request-logging plugin reports them. */
  readonly record: (answered: AnsweredOperation) => void;
}

/** The GraphQL layer: the schema, its resolvers given their services, and the Apollo server that runs it. */
export function createGraphQL(
  services: Services,
  deps: { readonly log: Logger; readonly metrics: GatewayMetrics; readonly introspection: boolean },
): GraphQLLayer {
  const schema = buildGatewaySchema(createResolverContainer(services));
  const { log } = deps;
  const formatError = createFormatError({
    getRequestId: currentRequestId,
    onMasked: (original, requestId) => log.error({ err: original, requestId }, 'unexpected error masked'),
  });
  const record = createOperationRecorder(log, deps.metrics);
  const apollo = createApolloServer({
    schema,
    introspection: deps.introspection,
    formatError,
    plugins: [createRequestLoggingPlugin(record)],
  });
  return { apollo, schema, formatError: gatewayFormatError(formatError), record };
}
