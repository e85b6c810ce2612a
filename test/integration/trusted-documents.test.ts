import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { describe, expect, it } from '@jest/globals';
import { CreateSessionTokenDocument } from '../../client/generated/graphql';
import manifest from '../../client/generated/persisted-documents.json';
import { ConfigError } from '../../src/config/config-error';
import { postJson } from '../support/graphql-request';
import { signTestJwt } from '../support/jwt';
import { MINT_QUERY } from '../support/operations';
import { freshAccount, startTestGateway } from '../support/test-gateway';
import { useTestGateway } from '../support/use-test-gateway';

function idOf(operation: string): string {
  const entry = Object.entries(manifest).find(([, text]) => text.includes(operation));
  if (entry === undefined) throw new Error(`${operation} is not in the manifest`);
  return entry[0];
}
const MINT_ID = idOf('mutation CreateSessionToken');
const VIEWER_ID = idOf('query Viewer');
const UNKNOWN_ID = `sha256:${'0'.repeat(64)}`;

interface Answer {
  readonly status: number;
  readonly body: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] };
}

async function answer(res: Response): Promise<Answer> {
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

describe.each(['allow', 'require'] as const)('TRUSTED_DOCUMENTS=%s', (mode) => {
  const gw = useTestGateway({ env: { TRUSTED_DOCUMENTS: mode } });
  const post = async (body: unknown) => {
    const bearer = await signTestJwt({ sub: freshAccount(gw.emulator) });
    return answer(await postJson(gw.url, JSON.stringify(body), { authorization: `Bearer ${bearer}` }));
  };

  it('mints by documentId', async () => {
    const res = await post({ documentId: MINT_ID });

    expect(res.status).toBe(200);
    expect(res.body.data?.['createSessionToken']).toMatchObject({ token: expect.any(String) });
  });

  it("mints by Apollo's extensions.persistedQuery", async () => {
    const res = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: MINT_ID.slice(7) } } });

    expect(res.status).toBe(200);
    expect(res.body.data?.['createSessionToken']).toMatchObject({ token: expect.any(String) });
  });

  it.each([
    ['documentId', { documentId: UNKNOWN_ID }],
    ['extensions.persistedQuery', { extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } }],
  ])('answers PERSISTED_QUERY_NOT_FOUND for an unknown %s', async (_form, body) => {
    const res = await post(body);

    expect(res.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it(
    mode === 'require'
      ? 'refuses the full document PersistedQueryLink resends with an unknown hash'
      : 'runs the full document PersistedQueryLink resends with an unknown hash',
    async () => {
      const res = await post({
        query: MINT_QUERY,
        extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } },
      });

      if (mode === 'require') expect(res.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      else expect(res.body.data?.['createSessionToken']).toMatchObject({ token: expect.any(String) });
    },
  );

  it(mode === 'require' ? 'refuses a full document' : 'runs a full document', async () => {
    const res = await post({ query: MINT_QUERY });

    if (mode === 'require') {
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('TRUSTED_DOCUMENT_REQUIRED');
    } else {
      expect(res.body.data?.['createSessionToken']).toMatchObject({ token: expect.any(String) });
    }
  });

  it('runs a trusted query by GET without a CSRF preflight header', async () => {
    const bearer = await signTestJwt({ sub: freshAccount(gw.emulator) });

    const res = await answer(
      await fetch(`${gw.url}?documentId=${encodeURIComponent(VIEWER_ID)}`, {
        headers: { authorization: `Bearer ${bearer}` },
      }),
    );

    expect(res.status).toBe(200);
    expect(res.body.data?.['viewer']).toMatchObject({ linkedAccountId: expect.any(String) });
  });

  it('refuses a trusted mutation by GET: CSRF prevention still applies to it', async () => {
    const res = await fetch(`${gw.url}?documentId=${encodeURIComponent(MINT_ID)}`);

    expect(res.status).toBe(400);
  });
});

describe('Apollo Client with PersistedQueryLink', () => {
  const gw = useTestGateway({ env: { TRUSTED_DOCUMENTS: 'require' } });

  it("mints against a require-mode gateway with the manifest's hashes", async () => {
    const bearer = await signTestJwt({ sub: freshAccount(gw.emulator) });
    const sent: unknown[] = [];
    const client = new ApolloClient({
      cache: new InMemoryCache(),
      link: ApolloLink.from([
        new PersistedQueryLink({
          // The hash codegen put on the typed document: the client never hashes at run time.
          generateHash: (document) => {
            const hash = (document as { __meta__?: { hash?: string } }).__meta__?.hash;
            if (hash === undefined) throw new Error('a document without its manifest hash');
            return hash.slice('sha256:'.length);
          },
        }),
        new HttpLink({
          uri: gw.url,
          headers: { authorization: `Bearer ${bearer}` },
          fetch: async (input, init) => {
            sent.push(init?.body);
            return fetch(input, init);
          },
        }),
      ]),
    });

    const result = await client.mutate({ mutation: CreateSessionTokenDocument });

    expect(result.data?.createSessionToken.token).toEqual(expect.any(String));
    expect(sent).toHaveLength(1);
    expect(JSON.parse(String(sent[0]))).not.toHaveProperty('query');
  });
});

describe('a full-document GET', () => {
  const gw = useTestGateway();

  it('still needs the CSRF preflight header', async () => {
    const res = await fetch(`${gw.url}?query=${encodeURIComponent('{ viewer { linkedAccountId } }')}`);

    expect(res.status).toBe(400);
  });
});

/** A manifest of one document under its true id. */
function hashed(text: string): string {
  return JSON.stringify({ [`sha256:${createHash('sha256').update(text).digest('hex')}`]: text });
}

describe('the manifest at start-up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trusted-documents-'));
  const write = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it.each([
    ['does not parse as JSON', write('broken.json', '{ not json')],
    ['has a hash that does not match its text', write('mismatch.json', JSON.stringify({ [MINT_ID]: 'query X { a }' }))],
    // Validated once at start-up for the fast path, with every rule a full document meets.
    ['has a document the schema does not validate', write('invalid.json', hashed('query Bad { nope }'))],
    [
      'has a document the one-mint rule refuses',
      write(
        'two-mints.json',
        hashed('mutation Two { a: createSessionToken { token } b: createSessionToken { token } }'),
      ),
    ],
  ])('is a configuration error when it %s', async (_case, path) => {
    await expect(startTestGateway({ env: { TRUSTED_DOCUMENTS_MANIFEST: path } })).rejects.toBeInstanceOf(ConfigError);
  });
});
