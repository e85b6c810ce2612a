import { ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode, errorPolicy } from './error-code';
import { GatewayError } from './gateway-error';

/** Apollo's protocol-level codes: the client sent something wrong; safe to show as they are. */
const APOLLO_PROTOCOL_CODES: ReadonlySet<string> = new Set([
  ApolloServerErrorCode.GRAPHQL_PARSE_FAILED,
  ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED,
  ApolloServerErrorCode.BAD_REQUEST,
  ApolloServerErrorCode.BAD_USER_INPUT,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_FOUND,
  ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
  ApolloServerErrorCode.OPERATION_RESOLUTION_FAILURE,
]);

export interface FormatErrorDeps {
  /** The id of the request being answered (undefined outside a request). */
  readonly getRequestId: () => string | undefined;
  /** Called once for every error that gets masked, with the original, so it lands in the logs. */
  readonly onMasked: (original: unknown, requestId: string | undefined) => void;
}

function locationAndPath(formatted: GraphQLFormattedError): Pick<GraphQLFormattedError, 'locations' | 'path'> {
  return {
    ...(formatted.locations !== undefined && { locations: formatted.locations }),
    ...(formatted.path !== undefined && { path: formatted.path }),
  };
}

/**
 * Apollo's `formatError`: the single place where anything thrown becomes what a client sees.
 * Our `GatewayError`s and Apollo's protocol errors pass with a clean `extensions`; everything else is
 * masked as INTERNAL_SERVER_ERROR, because its message may carry hosts, paths or upstream text.
 */
export function createFormatError(deps: FormatErrorDeps) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const requestId = deps.getRequestId();
    const withId = requestId === undefined ? {} : { requestId };
    const original = unwrapResolverError(error);

    if (original instanceof GatewayError) {
      return {
        message: original.message,
        ...locationAndPath(formatted),
        extensions: {
          code: original.code,
          retryable: original.extensions.retryable,
          ...(original.extensions.retryAfterSeconds !== undefined && {
            retryAfterSeconds: original.extensions.retryAfterSeconds,
          }),
          ...withId,
        },
      };
    }

    const code = formatted.extensions?.code;
    const isProtocolError =
      original instanceof GraphQLError && typeof code === 'string' && APOLLO_PROTOCOL_CODES.has(code);
    if (isProtocolError) {
      return {
        message: formatted.message,
        ...locationAndPath(formatted),
        extensions: { code, retryable: false, ...withId },
      };
    }

    if (isArgumentCoercionError(original)) {
      return {
        message: original.message,
        ...locationAndPath(formatted),
        extensions: { code: ErrorCode.BAD_USER_INPUT, retryable: false, ...withId },
      };
    }

    deps.onMasked(original, requestId);
    return {
      message: errorPolicy[ErrorCode.INTERNAL_SERVER_ERROR].message,
      ...locationAndPath(formatted),
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, retryable: false, ...withId },
    };
  };
}

/**
 * graphql-js refusing an argument value while executing (`forceRefresh: $v` with `$v` sent as null
 * to a non-null argument, which validation lets through when the variable has a default). The
 * client's input is wrong, not the server: masking it as INTERNAL_SERVER_ERROR wrote an error-level
 * line with a stack for every such request. Recognised by being graphql-js's own error (no cause)
 * with one of its argument-coercion messages, which name only what the client's document names.
 */
function isArgumentCoercionError(error: unknown): error is GraphQLError {
  return error instanceof GraphQLError && error.originalError === undefined && error.message.startsWith('Argument "');
}
