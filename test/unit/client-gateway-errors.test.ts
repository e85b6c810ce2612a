import { describe, expect, it } from '@jest/globals';
import { toGatewayFailure, type GatewayFailure } from '../../client/gateway-errors';
import type { ErrorCode } from '../../client/generated/error-code';
import { ErrorCode as ServerErrorCode } from '../../src/errors/error-code';

describe('toGatewayFailure (client helper)', () => {
  it('knows every code the server can send', () => {
    for (const code of Object.values(ServerErrorCode)) {
      expect(toGatewayFailure({ message: 'x', extensions: { code, retryable: false } })).toMatchObject({
        kind: 'gateway',
        code,
      });
    }
  });

  it('keeps retry hints and the request id', () => {
    const failure = toGatewayFailure({
      message: 'Cobalt is rate limiting',
      extensions: { code: 'COBALT_RATE_LIMITED', retryable: true, retryAfterSeconds: 7, requestId: 'r-1' },
    });

    expect(failure).toEqual({
      kind: 'gateway',
      code: 'COBALT_RATE_LIMITED',
      message: 'Cobalt is rate limiting',
      retryable: true,
      retryAfterSeconds: 7,
      requestId: 'r-1',
    });
  });

  it('separates protocol errors and unknown shapes', () => {
    expect(toGatewayFailure({ message: 'bad', extensions: { code: 'GRAPHQL_PARSE_FAILED' } }).kind).toBe('protocol');
    expect(toGatewayFailure({ message: 'odd', extensions: { code: 'SOMETHING' } }).kind).toBe('unknown');
    expect(toGatewayFailure({}).kind).toBe('unknown');
  });

  it('lets a frontend switch exhaustively over the codes', () => {
    const describe = (failure: GatewayFailure): string => {
      if (failure.kind !== 'gateway') return failure.kind;
      const code: ErrorCode = failure.code;
      switch (code) {
        case 'UNAUTHENTICATED':
          return 'sign in';
        case 'LINKED_ACCOUNT_NOT_FOUND':
          return 'provision';
        case 'INTEGRATION_NOT_FOUND':
          return 'refresh the list';
        case 'COBALT_UNAVAILABLE':
        case 'COBALT_RATE_LIMITED':
        case 'RATE_LIMITED':
        case 'OVERLOADED':
        case 'COBALT_BAD_RESPONSE':
          return 'retry later';
        case 'COBALT_AUTH_FAILED':
        case 'BAD_USER_INPUT':
        case 'INTERNAL_SERVER_ERROR':
          return 'report';
        case 'PERSISTED_QUERY_NOT_FOUND':
        case 'TRUSTED_DOCUMENT_REQUIRED':
          return 'update the frontend';
      }
    };

    expect(describe(toGatewayFailure({ extensions: { code: 'UNAUTHENTICATED' } }))).toBe('sign in');
  });
});
