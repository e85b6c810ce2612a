import type { ApolloServer } from '@apollo/server';
import type { GatewayContext } from '../auth/context';
import { createFormatError } from '../errors/format-error';
import type { Logger } from '../observability/logger';
import type { GatewayMetrics } from '../observability/metrics';
import { currentRequestId } from '../observability/request-scope';
import { createResolverContainer } from '../resolvers';
import { buildGatewaySchema } from '../schema/build-schema';
import { createApolloServer } from '../server/apollo-server';
import { createRequestLoggingPlugin } from '../server/request-logging.plugin';
import { createTracingPlugin } from '../server/tracing.plugin';
import type { Services } from './services';

/** The GraphQL layer: the schema, its resolvers given their services, and the Apollo server that runs it. */
export function createGraphQL(
  services: Services,
  deps: { readonly log: Logger; readonly metrics: GatewayMetrics; readonly introspection: boolean },
): ApolloServer<GatewayContext> {
  const schema = buildGatewaySchema(createResolverContainer(services));
  const { log } = deps;
  return createApolloServer({
    schema,
    introspection: deps.introspection,
    formatError: createFormatError({
      getRequestId: currentRequestId,
      onMasked: (original, requestId) => log.error({ err: original, requestId }, 'unexpected error masked'),
    }),
    plugins: [createRequestLoggingPlugin(log, deps.metrics), createTracingPlugin()],
  });
}
