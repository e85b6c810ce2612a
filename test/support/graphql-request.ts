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
  const response = await postJson(url, body, {
    ...(authorization !== undefined && { authorization }),
    ...options.headers,
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: JSON.parse(text) as GraphQLResponse<TData>['body'],
  };
}

/**
 * POSTs `body` as `application/json` (a string as it is, anything else serialised) and hands back the
 * raw response, for tests about HTTP itself: statuses, headers, bodies that are not GraphQL answers.
 */
export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
