import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { parseRedisConnection, redisEnv } from '../../../../src/config/sections/redis.config';
import { tokenStoreEnv } from '../../../../src/config/sections/token-store.config';
import { parseSection } from './parse-section';

const dir = mkdtempSync(path.join(tmpdir(), 'cgw-redis-config-'));
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const KEY_PEM = '-----BEGIN PRIVATE KEY-----\nsecret-key-material\n-----END PRIVATE KEY-----\n';
const ca = path.join(dir, 'ca.pem');
const cert = path.join(dir, 'client.pem');
const key = path.join(dir, 'client.key');
writeFileSync(ca, PEM);
writeFileSync(cert, PEM);
writeFileSync(key, KEY_PEM);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function parse(vars: Record<string, string>, production = false) {
  return parseSection(
    tokenStoreEnv.pick({ REDIS_URL: true }).extend(redisEnv.shape),
    parseRedisConnection,
    vars,
    production,
  );
}

describe('Redis connection settings', () => {
  it('has no Redis when none of the three topologies is given', () => {
    expect(parse({})).toEqual({ value: undefined, problems: [] });
  });

  it('reads a cluster from its seed nodes, with credentials and TLS files read at start', () => {
    const { value, problems } = parse({
      REDIS_CLUSTER_NODES: 'redis-a.internal:7000, 10.0.0.2:7001,[::1]:7002',
      REDIS_USERNAME: 'gateway',
      REDIS_PASSWORD: 'hunter2',
      REDIS_TLS: 'true',
      REDIS_TLS_CA_FILE: ca,
      REDIS_TLS_CERT_FILE: cert,
      REDIS_TLS_KEY_FILE: key,
      REDIS_TLS_SERVERNAME: 'redis.internal',
    });

    expect(problems).toEqual([]);
    expect(value?.topology).toEqual({
      kind: 'cluster',
      nodes: [
        { host: 'redis-a.internal', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
        { host: '::1', port: 7002 },
      ],
    });
    expect(value?.username).toBe('gateway');
    expect(value?.password?.reveal()).toBe('hunter2');
    expect(value?.tls).toMatchObject({ ca: PEM, cert: PEM, servername: 'redis.internal', insecure: false });
    expect(value?.tls?.key?.reveal()).toBe(KEY_PEM);
    // The private key and the password print as [redacted] wherever the config is logged.
    expect(JSON.stringify(value)).not.toMatch(/hunter2|secret-key-material/);
  });

  it('reads Sentinel with its master name and the sentinels own password', () => {
    const { value, problems } = parse({
      REDIS_SENTINELS: 's1:26379,s2:26379',
      REDIS_SENTINEL_NAME: 'cache',
      REDIS_SENTINEL_PASSWORD: 'sentinel-secret',
    });

    expect(problems).toEqual([]);
    expect(value?.topology).toMatchObject({
      kind: 'sentinel',
      name: 'cache',
      sentinels: [{ host: 's1' }, { host: 's2' }],
    });
    expect(value?.topology.kind === 'sentinel' && value.topology.sentinelPassword?.reveal()).toBe('sentinel-secret');
  });

  it('refuses more than one topology, naming them', () => {
    expect(
      parse({ REDIS_URL: 'redis://a:6379', REDIS_CLUSTER_NODES: 'b:7000', REDIS_SENTINELS: 'c:26379' }).problems,
    ).toContain('REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS: set exactly one of them');
  });

  it('refuses malformed node lists and Sentinel without a master name', () => {
    expect(parse({ REDIS_CLUSTER_NODES: 'a:7000,b' }).problems).toEqual([
      'REDIS_CLUSTER_NODES: must be a comma-separated list of host:port',
    ]);
    expect(parse({ REDIS_SENTINELS: 'a:99999' }).problems).toEqual([
      'REDIS_SENTINEL_NAME: required with REDIS_SENTINELS',
      'REDIS_SENTINELS: must be a comma-separated list of host:port',
    ]);
  });

  it('refuses TLS files that cannot be read, or are not PEM, naming the variable and never the contents', () => {
    const { problems } = parse({
      REDIS_URL: 'rediss://:hunter2@cache.test:6380',
      REDIS_TLS_CA_FILE: path.join(dir, 'missing.pem'),
      REDIS_TLS_CERT_FILE: cert,
      REDIS_TLS_KEY_FILE: path.join(dir),
    });

    expect(problems).toEqual([
      `REDIS_TLS_CA_FILE: cannot read ${path.join(dir, 'missing.pem')} (ENOENT)`,
      `REDIS_TLS_KEY_FILE: cannot read ${dir} (EISDIR)`,
    ]);
    const notPem = path.join(dir, 'not.pem');
    writeFileSync(notPem, 'hunter2');
    expect(parse({ REDIS_URL: 'rediss://cache.test', REDIS_TLS_CA_FILE: notPem }).problems).toEqual([
      `REDIS_TLS_CA_FILE: ${notPem} is not a PEM file`,
    ]);
  });

  it('refuses TLS settings without TLS, half a client certificate, and plain redis:// with REDIS_TLS', () => {
    expect(parse({ REDIS_URL: 'redis://cache.test', REDIS_TLS_CA_FILE: ca }).problems).toEqual([
      'REDIS_TLS_CA_FILE: need TLS (rediss:// or REDIS_TLS=true)',
    ]);
    expect(parse({ REDIS_URL: 'redis://cache.test', REDIS_TLS: 'true' }).problems).toEqual([
      'REDIS_TLS: use rediss:// in REDIS_URL',
    ]);
    expect(parse({ REDIS_CLUSTER_NODES: 'a:7000', REDIS_TLS: 'true', REDIS_TLS_CERT_FILE: cert }).problems).toEqual([
      'REDIS_TLS_CERT_FILE, REDIS_TLS_KEY_FILE: set both or neither',
    ]);
  });

  it('allows skipping certificate checks only when asked explicitly, and never in production', () => {
    expect(parse({ REDIS_URL: 'rediss://cache.test', REDIS_TLS_INSECURE: 'true' }).value?.tls?.insecure).toBe(true);
    expect(redisEnv.shape.REDIS_TLS_INSECURE.safeParse('yes').success).toBe(false);
    expect(parse({ REDIS_URL: 'rediss://cache.test', REDIS_TLS_INSECURE: 'true' }, true).problems).toEqual([
      'REDIS_TLS_INSECURE: not allowed in production',
    ]);
  });

  it('refuses credentials given twice, or settings that need a Redis without one', () => {
    expect(parse({ REDIS_URL: 'redis://user:hunter2@cache.test', REDIS_PASSWORD: 'other' }).problems).toEqual([
      'REDIS_PASSWORD: REDIS_URL already carries credentials',
    ]);
    expect(parse({ REDIS_PASSWORD: 'x', REDIS_TLS: 'true' }).problems).toEqual([
      'REDIS_PASSWORD: need a Redis (REDIS_URL, REDIS_CLUSTER_NODES, ...)',
      'REDIS_TLS: needs a Redis (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS)',
    ]);
    expect(parse({ REDIS_URL: 'redis://cache.test', REDIS_SENTINEL_PASSWORD: 'x' }).problems).toEqual([
      'REDIS_SENTINEL_PASSWORD: needs REDIS_SENTINELS',
    ]);
  });
});
