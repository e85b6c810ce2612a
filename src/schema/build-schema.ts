import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchemaSync, type ContainerType } from 'type-graphql';
import { ErrorExtensions } from '../errors/error-extensions.type';
import { resolvers } from '../resolvers';

/**
 * Builds the executable schema. `container` hands resolvers their dependencies; it is optional so the
 * SDL can be printed without wiring a server. Never writes files (no `emitSchemaFile`): the committed
 * SDL is produced by `npm run schema:emit`.
 */
export function buildGatewaySchema(container?: ContainerType): GraphQLSchema {
  return buildSchemaSync({
    resolvers: [...resolvers],
    // Publishes `ErrorExtensions` and, through it, the `ErrorCode` enum that no field returns.
    orphanedTypes: [ErrorExtensions],
    validate: false,
    ...(container !== undefined && { container }),
  });
}
