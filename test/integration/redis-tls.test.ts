import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGatewayPairOn } from '../support/gateway-pair';
import { mint } from '../support/mint';
import { SESSION_TOKEN_PATH } from '../support/operations';
import { readiness } from '../support/probes';
import { newEncryptionKey } from '../support/redis-server';
import {
  connectDirect,
  GATEWAY_PASSWORD,
  GATEWAY_USER,
  startTlsRedis,
  type TestTlsRedis,
} from '../support/redis-topologies';
import { assertNoSecretsIn, freshAccount, startTestGateway, type TestGateway } from '../support/test-gateway';

/** A TLS-only Redis that requires client certificates, logged into as the gateway's ACL user. */
describe('Redis over TLS', () => {
  let redis: TestTlsRedis;
  let env: Record<string, string>;
  let secrets: string[];

  beforeAll(async () => {
    redis = await startTlsRedis();
    const certs = redis.certificates;
    env = {
      REDIS_URL: `rediss://${GATEWAY_USER}:${GATEWAY_PASSWORD}@127.0.0.1:${redis.port}`,
      REDIS_TLS_CA_FILE: certs.caFile,
      REDIS_TLS_CERT_FILE: certs.clientCertFile,
      REDIS_TLS_KEY_FILE: certs.clientKeyFile,
    };
    // The password, and the body of the client's private key.
    secrets = [GATEWAY_PASSWORD, readFileSync(certs.clientKeyFile, 'utf8').split('\n')[1]!];
  }, 30_000);
  afterAll(async () => {
    await redis.stop();
  });

  async function stopChecked(gateway: TestGateway): Promise<void> {
    await gateway.stop();
    assertNoSecretsIn(gateway.logs.text(), secrets);
  }

  it('shares tokens between two instances with the generated CA and a client certificate', async () => {
    const pair = await startGatewayPairOn(env);
    try {
      const account = freshAccount(pair.a.emulator);

      const first = await mint(pair.a, account);
      const second = await mint(pair.b, account);

      expect(second.data?.token).toBe(first.data?.token);
      expect(pair.a.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(1);
      expect((await readiness(pair.a)).checks?.['tokenCache']).toBe('redis:ok');
    } finally {
      await pair.stop();
      for (const gateway of [pair.a, pair.b]) assertNoSecretsIn(gateway.logs.text(), secrets);
    }
  });

  it('was refused nothing as the ACL user (ACL LOG)', async () => {
    const server = await connectDirect(redis.port, { tls: redis.tls });
    try {
      expect(await server.call('ACL', 'LOG')).toEqual([]);
    } finally {
      server.disconnect();
    }
  });

  it('refuses a server its CA did not sign: starts degraded with a clear log line, and still mints', async () => {
    const gateway = await startTestGateway({
      env: { ...env, REDIS_TLS_CA_FILE: redis.certificates.otherCaFile, TOKEN_ENCRYPTION_KEY: newEncryptionKey() },
    });
    try {
      expect((await readiness(gateway)).checks?.['tokenCache']).toBe('redis:degraded');
      const warning = gateway.logs.parsed().find((line) => line['store'] === 'redis');
      expect(JSON.stringify(warning)).toMatch(/certificate/i);

      const minted = await mint(gateway, freshAccount(gateway.emulator));

      expect(minted.data?.token).toEqual(expect.any(String));
    } finally {
      await stopChecked(gateway);
    }
  });

  it('skips verification only with REDIS_TLS_INSECURE=true, and says so at start', async () => {
    const gateway = await startTestGateway({
      env: {
        ...env,
        REDIS_TLS_CA_FILE: redis.certificates.otherCaFile,
        REDIS_TLS_INSECURE: 'true',
        TOKEN_ENCRYPTION_KEY: newEncryptionKey(),
      },
    });
    try {
      expect(gateway.logs.parsed().filter((line) => line['event'] === 'redis-tls-insecure')).toHaveLength(1);
      expect((await readiness(gateway)).checks?.['tokenCache']).toBe('redis:ok');
    } finally {
      await stopChecked(gateway);
    }
  });
});
