import { describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { ErrorCode } from '../../../src/errors/error-code';
import { createFormatError } from '../../../src/errors/format-error';
import { GatewayError } from '../../../src/errors/gateway-error';

function setup(requestId: string | undefined = 'req-1') {
  const masked: unknown[] = [];
  const format = createFormatError({ getRequestId: () => requestId, onMasked: (original) => masked.push(original) });
  return { format, masked };
}

describe('formatError', () => {
  it('passes a GatewayError with code, retryable, retryAfterSeconds and requestId only', () => {
    const { format, masked } = setup();
    const error = new GatewayError(ErrorCode.COBALT_RATE_LIMITED, { retryAfterSeconds: 4, cause: new Error('inner') });

    const out = format(
      { message: error.message, path: ['createSessionToken'], extensions: { ...error.extensions, stacktrace: ['x'] } },
      error,
    );

    expect(out).toEqual({
      message: 'Cobalt is rate limiting this organisation. Try again later.',
      path: ['createSessionToken'],
      extensions: { code: 'COBALT_RATE_LIMITED', retryable: true, retryAfterSeconds: 4, requestId: 'req-1' },
    });
    expect(masked).toHaveLength(0);
  });

  it("keeps Apollo's protocol codes and adds retryable: false", () => {
    const { format } = setup();
    const error = new GraphQLError('Syntax Error: Unexpected Name "qwerty".', {
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });

    const out = format(
      { message: error.message, extensions: { code: 'GRAPHQL_PARSE_FAILED', stacktrace: ['at x'] } },
      error,
    );

    expect(out.extensions).toEqual({ code: 'GRAPHQL_PARSE_FAILED', retryable: false, requestId: 'req-1' });
  });

  it('masks anything else as INTERNAL_SERVER_ERROR and reports the original once', () => {
    const { format, masked } = setup();
    const original = new Error('connect ECONNREFUSED 10.0.0.7:443');

    const out = format({ message: original.message, extensions: { code: 'INTERNAL_SERVER_ERROR' } }, original);

    expect(out).toEqual({
      message: 'Internal server error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR', retryable: false, requestId: 'req-1' },
    });
    expect(masked).toEqual([original]);
  });

  it("answers graphql-js's refusal of an argument value as BAD_USER_INPUT, not as a masked crash", () => {
    const { format, masked } = setup();
    const error = new GraphQLError('Argument "forceRefresh" of non-null type "Boolean!" must not be null.', {
      path: ['createSessionToken'],
    });

    const out = format({ message: error.message, path: ['createSessionToken'] }, error);

    expect(out).toEqual({
      message: 'Argument "forceRefresh" of non-null type "Boolean!" must not be null.',
      path: ['createSessionToken'],
      extensions: { code: 'BAD_USER_INPUT', retryable: false, requestId: 'req-1' },
    });
    expect(masked).toHaveLength(0);
  });

  it('still masks a GraphQLError wrapping a thrown error whose message looks like an argument refusal', () => {
    const { format, masked } = setup();
    const thrown = new Error('Argument "x" leaked 10.0.0.7');
    const error = new GraphQLError(thrown.message, { originalError: thrown });

    const out = format({ message: error.message }, error);

    expect(out.extensions?.['code']).toBe('INTERNAL_SERVER_ERROR');
    expect(masked).toHaveLength(1);
  });

  it('masks a GraphQLError that claims a protocol code but came from a resolver', () => {
    const { format } = setup();
    const thrown = new Error('boom');
    const wrapped = new GraphQLError('boom', {
      originalError: thrown,
      path: ['createSessionToken'],
      extensions: { code: 'BAD_REQUEST' },
    });

    expect(format({ message: 'boom', extensions: { code: 'BAD_REQUEST' } }, wrapped).extensions!.code).toBe(
      'INTERNAL_SERVER_ERROR',
    );
  });
});

describe('GatewayError', () => {
  it('can only be built from a code', () => {
    /* eslint-disable @typescript-eslint/no-unsafe-enum-assignment -- refusing this is the point */
    // @ts-expect-error a free-form string is not an ErrorCode
    const build = () => new GatewayError('SOMETHING_ELSE');
    /* eslint-enable @typescript-eslint/no-unsafe-enum-assignment */

    expect(build).toThrow();
  });
});
