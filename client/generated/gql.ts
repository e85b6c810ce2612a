/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "fragment IntegrationFields on Integration {\n  slug\n  name\n  icon\n  description\n  authType\n  connected\n  reauthRequired\n  connectedAccounts {\n    identifier\n    status\n    connectedAt\n  }\n}\n\nquery Integrations($filter: IntegrationFilter) {\n  integrations(filter: $filter) {\n    ...IntegrationFields\n  }\n}\n\nquery Integration($slug: String!) {\n  integration(slug: $slug) {\n    ...IntegrationFields\n  }\n}\n\nmutation CreateConnectUrl($slug: String!, $input: ConnectUrlInput) {\n  createConnectUrl(slug: $slug, input: $input) {\n    url\n    expiresAt\n  }\n}": typeof types.IntegrationFieldsFragmentDoc,
    "mutation UpsertLinkedAccount($input: LinkedAccountInput!) {\n  upsertLinkedAccount(input: $input) {\n    accountId\n    name\n    environment\n    udf {\n      key\n      value\n    }\n    createdAt\n  }\n}": typeof types.UpsertLinkedAccountDocument,
    "mutation CreateSessionToken($forceRefresh: Boolean = false) {\n  createSessionToken(forceRefresh: $forceRefresh) {\n    token\n    expiresAt\n    linkedAccountId\n  }\n}\n\nmutation RevokeSessionToken {\n  revokeSessionToken\n}": typeof types.CreateSessionTokenDocument,
    "query Viewer {\n  viewer {\n    linkedAccountId\n  }\n}": typeof types.ViewerDocument,
};
const documents: Documents = {
    "fragment IntegrationFields on Integration {\n  slug\n  name\n  icon\n  description\n  authType\n  connected\n  reauthRequired\n  connectedAccounts {\n    identifier\n    status\n    connectedAt\n  }\n}\n\nquery Integrations($filter: IntegrationFilter) {\n  integrations(filter: $filter) {\n    ...IntegrationFields\n  }\n}\n\nquery Integration($slug: String!) {\n  integration(slug: $slug) {\n    ...IntegrationFields\n  }\n}\n\nmutation CreateConnectUrl($slug: String!, $input: ConnectUrlInput) {\n  createConnectUrl(slug: $slug, input: $input) {\n    url\n    expiresAt\n  }\n}": types.IntegrationFieldsFragmentDoc,
    "mutation UpsertLinkedAccount($input: LinkedAccountInput!) {\n  upsertLinkedAccount(input: $input) {\n    accountId\n    name\n    environment\n    udf {\n      key\n      value\n    }\n    createdAt\n  }\n}": types.UpsertLinkedAccountDocument,
    "mutation CreateSessionToken($forceRefresh: Boolean = false) {\n  createSessionToken(forceRefresh: $forceRefresh) {\n    token\n    expiresAt\n    linkedAccountId\n  }\n}\n\nmutation RevokeSessionToken {\n  revokeSessionToken\n}": types.CreateSessionTokenDocument,
    "query Viewer {\n  viewer {\n    linkedAccountId\n  }\n}": types.ViewerDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment IntegrationFields on Integration {\n  slug\n  name\n  icon\n  description\n  authType\n  connected\n  reauthRequired\n  connectedAccounts {\n    identifier\n    status\n    connectedAt\n  }\n}\n\nquery Integrations($filter: IntegrationFilter) {\n  integrations(filter: $filter) {\n    ...IntegrationFields\n  }\n}\n\nquery Integration($slug: String!) {\n  integration(slug: $slug) {\n    ...IntegrationFields\n  }\n}\n\nmutation CreateConnectUrl($slug: String!, $input: ConnectUrlInput) {\n  createConnectUrl(slug: $slug, input: $input) {\n    url\n    expiresAt\n  }\n}"): (typeof documents)["fragment IntegrationFields on Integration {\n  slug\n  name\n  icon\n  description\n  authType\n  connected\n  reauthRequired\n  connectedAccounts {\n    identifier\n    status\n    connectedAt\n  }\n}\n\nquery Integrations($filter: IntegrationFilter) {\n  integrations(filter: $filter) {\n    ...IntegrationFields\n  }\n}\n\nquery Integration($slug: String!) {\n  integration(slug: $slug) {\n    ...IntegrationFields\n  }\n}\n\nmutation CreateConnectUrl($slug: String!, $input: ConnectUrlInput) {\n  createConnectUrl(slug: $slug, input: $input) {\n    url\n    expiresAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation UpsertLinkedAccount($input: LinkedAccountInput!) {\n  upsertLinkedAccount(input: $input) {\n    accountId\n    name\n    environment\n    udf {\n      key\n      value\n    }\n    createdAt\n  }\n}"): (typeof documents)["mutation UpsertLinkedAccount($input: LinkedAccountInput!) {\n  upsertLinkedAccount(input: $input) {\n    accountId\n    name\n    environment\n    udf {\n      key\n      value\n    }\n    createdAt\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CreateSessionToken($forceRefresh: Boolean = false) {\n  createSessionToken(forceRefresh: $forceRefresh) {\n    token\n    expiresAt\n    linkedAccountId\n  }\n}\n\nmutation RevokeSessionToken {\n  revokeSessionToken\n}"): (typeof documents)["mutation CreateSessionToken($forceRefresh: Boolean = false) {\n  createSessionToken(forceRefresh: $forceRefresh) {\n    token\n    expiresAt\n    linkedAccountId\n  }\n}\n\nmutation RevokeSessionToken {\n  revokeSessionToken\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Viewer {\n  viewer {\n    linkedAccountId\n  }\n}"): (typeof documents)["query Viewer {\n  viewer {\n    linkedAccountId\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;