/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Options of Cobalt's hosted Connect page. */
export type ConnectUrlInput = {
  /** Cobalt config id to open (Cobalt creates it when unknown); letters, digits, `_`, `-`. */
  configId?: string | null | undefined;
  /** Where the hosted page sends the user when done: an absolute http(s) URL (at most 2048 characters). */
  redirectUrl?: string | null | undefined;
};

/** State of one connection between the user and an application. */
export type ConnectionStatus =
  /** Working. */
  | 'ACTIVE'
  /** The credentials expired: the user must connect again. */
  | 'EXPIRED'
  /** A state this gateway does not know yet. */
  | 'OTHER';

/** How the user authenticates to the application. */
export type IntegrationAuthType =
  /** The user enters an API key or credentials. */
  | 'KEY_BASED'
  /** OAuth 2: the user signs in at the application's site. */
  | 'OAUTH2'
  /** A method this gateway does not know yet. */
  | 'OTHER';

/** Narrows `integrations`. Every field set must match (AND). */
export type IntegrationFilter = {
  /** Only those with this authentication method. */
  authType?: IntegrationAuthType | null | undefined;
  /** Only connected (true) or unconnected (false) ones. */
  connected?: boolean | null | undefined;
  /** Only those whose name contains this text, ignoring case (at most 100 characters). */
  nameContains?: string | null | undefined;
  /** Only these slugs (at most 50). */
  slugs?: Array<string> | null | undefined;
};

/** What to store on your linked account. Fields left out are kept as they are. */
export type LinkedAccountInput = {
  /** Display name (1–256 characters, no control characters). */
  name?: string | null | undefined;
  /** User-defined fields to set (at most 50, unique keys); others are kept. */
  udf?: Array<UserDefinedFieldInput> | null | undefined;
};

/** A user-defined field to set. */
export type UserDefinedFieldInput = {
  /** Field name: printable ASCII without spaces, 1–128 characters. */
  key: string;
  /** Value: at most 1024 characters, no control characters. */
  value: string;
};

export type IntegrationFieldsFragment = { slug: string, name: string, icon: string | null, description: string | null, authType: IntegrationAuthType, connected: boolean, reauthRequired: boolean, connectedAccounts: Array<{ identifier: string | null, status: ConnectionStatus, connectedAt: string | null }> };

export type IntegrationsQueryVariables = Exact<{
  filter?: IntegrationFilter | null | undefined;
}>;


export type IntegrationsQuery = { integrations: Array<{ slug: string, name: string, icon: string | null, description: string | null, authType: IntegrationAuthType, connected: boolean, reauthRequired: boolean, connectedAccounts: Array<{ identifier: string | null, status: ConnectionStatus, connectedAt: string | null }> }> };

export type IntegrationQueryVariables = Exact<{
  slug: string;
}>;


export type IntegrationQuery = { integration: { slug: string, name: string, icon: string | null, description: string | null, authType: IntegrationAuthType, connected: boolean, reauthRequired: boolean, connectedAccounts: Array<{ identifier: string | null, status: ConnectionStatus, connectedAt: string | null }> } | null };

export type CreateConnectUrlMutationVariables = Exact<{
  slug: string;
  input?: ConnectUrlInput | null | undefined;
}>;


export type CreateConnectUrlMutation = { createConnectUrl: { url: string, expiresAt: string } };

export type UpsertLinkedAccountMutationVariables = Exact<{
  input: LinkedAccountInput;
}>;


export type UpsertLinkedAccountMutation = { upsertLinkedAccount: { accountId: string, name: string | null, environment: string | null, createdAt: string | null, udf: Array<{ key: string, value: string }> } };

export type CreateSessionTokenMutationVariables = Exact<{
  forceRefresh?: boolean | null | undefined;
}>;


export type CreateSessionTokenMutation = { createSessionToken: { token: string, expiresAt: string, linkedAccountId: string } };

export type RevokeSessionTokenMutationVariables = Exact<{ [key: string]: never; }>;


export type RevokeSessionTokenMutation = { revokeSessionToken: boolean };

export type ViewerQueryVariables = Exact<{ [key: string]: never; }>;


export type ViewerQuery = { viewer: { linkedAccountId: string } };

export const IntegrationFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"IntegrationFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Integration"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"icon"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"authType"}},{"kind":"Field","name":{"kind":"Name","value":"connected"}},{"kind":"Field","name":{"kind":"Name","value":"reauthRequired"}},{"kind":"Field","name":{"kind":"Name","value":"connectedAccounts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"identifier"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"connectedAt"}}]}}]}}]} as unknown as DocumentNode<IntegrationFieldsFragment, unknown>;
export const IntegrationsDocument = {"__meta__":{"hash":"sha256:b9b3f767898e54cad1070cd9ec9c526caf7090c421736d9f9055c1660b1bb984"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Integrations"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"IntegrationFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"integrations"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"IntegrationFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"IntegrationFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Integration"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"icon"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"authType"}},{"kind":"Field","name":{"kind":"Name","value":"connected"}},{"kind":"Field","name":{"kind":"Name","value":"reauthRequired"}},{"kind":"Field","name":{"kind":"Name","value":"connectedAccounts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"identifier"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"connectedAt"}}]}}]}}]} as unknown as DocumentNode<IntegrationsQuery, IntegrationsQueryVariables>;
export const IntegrationDocument = {"__meta__":{"hash":"sha256:8d082d6e87a343d9384ff6b8749ca7e47d3cb103578a67dfe48ebc5a43d1c448"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Integration"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"slug"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"integration"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"slug"},"value":{"kind":"Variable","name":{"kind":"Name","value":"slug"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"IntegrationFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"IntegrationFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Integration"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"slug"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"icon"}},{"kind":"Field","name":{"kind":"Name","value":"description"}},{"kind":"Field","name":{"kind":"Name","value":"authType"}},{"kind":"Field","name":{"kind":"Name","value":"connected"}},{"kind":"Field","name":{"kind":"Name","value":"reauthRequired"}},{"kind":"Field","name":{"kind":"Name","value":"connectedAccounts"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"identifier"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"connectedAt"}}]}}]}}]} as unknown as DocumentNode<IntegrationQuery, IntegrationQueryVariables>;
export const CreateConnectUrlDocument = {"__meta__":{"hash":"sha256:2f23ab89dc7feaed3a9668670d788644e31759f7f49f087507585788ed459654"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateConnectUrl"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"slug"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"ConnectUrlInput"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createConnectUrl"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"slug"},"value":{"kind":"Variable","name":{"kind":"Name","value":"slug"}}},{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"url"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}}]}}]} as unknown as DocumentNode<CreateConnectUrlMutation, CreateConnectUrlMutationVariables>;
export const UpsertLinkedAccountDocument = {"__meta__":{"hash":"sha256:6f6f84176f74b68887ebeecff83a953a6e8052482adca1333006de1d48b1a374"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"UpsertLinkedAccount"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"LinkedAccountInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"upsertLinkedAccount"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"accountId"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"environment"}},{"kind":"Field","name":{"kind":"Name","value":"udf"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"key"}},{"kind":"Field","name":{"kind":"Name","value":"value"}}]}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}}]}}]}}]} as unknown as DocumentNode<UpsertLinkedAccountMutation, UpsertLinkedAccountMutationVariables>;
export const CreateSessionTokenDocument = {"__meta__":{"hash":"sha256:d79d47d2014da2baac8b771b5811371c6f19ac04f1341a8ffd3b0a9ebe568ecd"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"CreateSessionToken"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"forceRefresh"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Boolean"}},"defaultValue":{"kind":"BooleanValue","value":false}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createSessionToken"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"forceRefresh"},"value":{"kind":"Variable","name":{"kind":"Name","value":"forceRefresh"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"token"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}},{"kind":"Field","name":{"kind":"Name","value":"linkedAccountId"}}]}}]}}]} as unknown as DocumentNode<CreateSessionTokenMutation, CreateSessionTokenMutationVariables>;
export const RevokeSessionTokenDocument = {"__meta__":{"hash":"sha256:0a5d771351561c7284c25cd2848135b3bcb854f562ebc081e7ab382e6cc6868b"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"RevokeSessionToken"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"revokeSessionToken"}}]}}]} as unknown as DocumentNode<RevokeSessionTokenMutation, RevokeSessionTokenMutationVariables>;
export const ViewerDocument = {"__meta__":{"hash":"sha256:3c19e949b0fb0995d40758a02b2d3b8f7d6388128f65819f9a359e234a8b45d3"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"Viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"viewer"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"linkedAccountId"}}]}}]}}]} as unknown as DocumentNode<ViewerQuery, ViewerQueryVariables>;