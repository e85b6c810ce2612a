import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { describe, expect, it } from '@jest/globals';
import { Client, fetchExchange } from '@urql/core';
import { ClientError, GraphQLClient } from 'graphql-request';
import { CreateSessionTokenDocument, IntegrationsDocument } from '../../client/generated/graphql';
import { signTestJwt } from '../support/jwt';
import { freshAccount } from '../support/test-gateway';
import { useTestGateway } from '../support/use-test-gateway';

/**
 * The client snippets of docs/frontend.md, run against a real gateway: each library mints a token with
 * a bearer, reads `extensions.code` the way the page says, and (urql) needs `preferGetMethod: false`
 * for a query to pass CSRF prevention. Only the URL differs from the page (absolute here, not '/graphql').
 */
describe('the client libraries of docs/frontend.md', () => {
  const gw = useTestGateway();
  const bearer = async () => signTestJwt({ sub: freshAccount(gw.emulator) }, { clock: gw.clock });

  describe('Apollo Client 4', () => {
    const client = (idToken: string) =>
      new ApolloClient({
        link: new HttpLink({ uri: gw.url, headers: { authorization: `Bearer ${idToken}` } }),
        cache: new InMemoryCache(),
      });

    it('mints a token', async () => {
      const { data } = await client(await bearer()).mutate({ mutation: CreateSessionTokenDocument });

      expect(data?.createSessionToken.token).toEqual(expect.any(String));
    });

    it('exposes extensions.code on CombinedGraphQLErrors', async () => {
      const error = await client('not-a-jwt')
        .mutate({ mutation: CreateSessionTokenDocument })
        .then(
          () => undefined,
          (thrown: unknown) => thrown,
        );

      expect(CombinedGraphQLErrors.is(error) && error.errors[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    });
  });

  describe('urql 6', () => {
    const client = (idToken: string, preferGetMethod: boolean) =>
      new Client({
        url: gw.url,
        exchanges: [fetchExchange],
        preferGetMethod,
        fetchOptions: () => ({ headers: { authorization: `Bearer ${idToken}` } }),
      });

    it('mints a token, and reads extensions.code from graphQLErrors', async () => {
      const minted = await client(await bearer(), false)
        .mutation(CreateSessionTokenDocument, {})
        .toPromise();
      const refused = await client('not-a-jwt', false).mutation(CreateSessionTokenDocument, {}).toPromise();

      expect(minted.data?.createSessionToken.token).toEqual(expect.any(String));
      expect(refused.error?.graphQLErrors[0]?.extensions['code']).toBe('UNAUTHENTICATED');
    });

    it('runs a query with preferGetMethod: false, and is refused by CSRF prevention with its GET default', async () => {
      const idToken = await bearer();
      const byPost = await client(idToken, false).query(IntegrationsDocument, {}).toPromise();
      const byGet = await client(idToken, true).query(IntegrationsDocument, {}).toPromise();

      expect(byPost.error).toBeUndefined();
      expect(byPost.data?.integrations).toEqual(expect.any(Array));
      expect(byGet.error?.response).toMatchObject({ status: 400 });
    });
  });

  describe('graphql-request 7', () => {
    const client = (idToken: string) => new GraphQLClient(gw.url, { headers: { authorization: `Bearer ${idToken}` } });

    it('mints a token', async () => {
      const { createSessionToken } = await client(await bearer()).request(CreateSessionTokenDocument, {});

      expect(createSessionToken.token).toEqual(expect.any(String));
    });

    it('exposes extensions.code on ClientError', async () => {
      const error = await client('not-a-jwt')
        .request(CreateSessionTokenDocument, {})
        .then(
          () => undefined,
          (thrown: unknown) => thrown,
        );

      expect(error instanceof ClientError && error.response.errors?.[0]?.extensions['code']).toBe('UNAUTHENTICATED');
    });
  });
});
