import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type GraphQLFormattedError } from 'graphql';

export interface GraphQLResponse<TData> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: { data?: TData | null; errors?: GraphQLFormattedError[] };
}

export interface RequestOptions<TVariables> {
  readonly token?: string;
  readonly authorization?: string;
  readonly variables?: TVariables;
  readonly headers?: Record<string, string>;
}

/**
 * Sends a generated, typed operation (client/generated) over real HTTP, the way a frontend does,
 * so the tests prove the codegen path as well as the server.
 */
export async function graphqlRequest<TData, TVariables>(
  url: string,
  document: TypedDocumentNode<TData, TVariables>,
  options: RequestOptions<TVariables> = {},
): Promise<GraphQLResponse<TData>> {
  return rawGraphQLRequest<TData>(url, { query: print(document), variables: options.variables }, options);
}

export async function rawGraphQLRequest<TData = unknown>(
  url: string,
  body: unknown,
  options: RequestOptions<unknown> = {},
): Promise<GraphQLResponse<TData>> {
  const authorization = options.authorization ?? (options.token === undefined ? undefined : `Bearer ${options.token}`);
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(authorization !== undefined && { authorization }),
      ...options.headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: JSON.parse(text) as GraphQLResponse<TData>['body'],
  };
}
