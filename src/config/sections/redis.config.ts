import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { Secret } from '../secret';
import { flag, optionalNonEmpty, splitList } from './env-values';
import type { ParseContext } from './parse-context';

/** How to reach the Redis the instances share: one node (`REDIS_URL`), a cluster or Sentinel. */
export const redisEnv = z.object({
  REDIS_CLUSTER_NODES: optionalNonEmpty.describe(
    'Redis Cluster seed nodes, `host:port,...` (the rest are discovered). Exclusive with `REDIS_URL`.',
  ),
  REDIS_SENTINELS: optionalNonEmpty.describe(
    'Redis Sentinel nodes, `host:port,...`, with `REDIS_SENTINEL_NAME`. Exclusive with `REDIS_URL`.',
  ),
  REDIS_SENTINEL_NAME: optionalNonEmpty.describe(
    'The master name the sentinels monitor; required with `REDIS_SENTINELS`.',
  ),
  REDIS_SENTINEL_PASSWORD: optionalNonEmpty.describe('Password of the sentinels themselves, when they require one.'),
  REDIS_USERNAME: optionalNonEmpty.describe(
    'ACL user for a cluster or Sentinel (with `REDIS_URL` put it in the URL). Unset: `default`.',
  ),
  REDIS_PASSWORD: optionalNonEmpty.describe(
    'Password for a cluster or Sentinel data nodes (with `REDIS_URL` put it in the URL).',
  ),
  REDIS_TLS: flag
    .default(false)
    .describe('TLS to cluster nodes or to Sentinel and its master (with `REDIS_URL` use `rediss://`).'),
  REDIS_TLS_CA_FILE: optionalNonEmpty.describe(
    'PEM file of the CA(s) that signed the Redis server certificate. Unset: the system CAs.',
  ),
  REDIS_TLS_CERT_FILE: optionalNonEmpty.describe(
    'PEM client certificate, for servers that require mutual TLS; with `REDIS_TLS_KEY_FILE`.',
  ),
  REDIS_TLS_KEY_FILE: optionalNonEmpty.describe('PEM private key of `REDIS_TLS_CERT_FILE`.'),
  REDIS_TLS_SERVERNAME: optionalNonEmpty.describe(
    'Name the Redis certificate must carry, when it differs from the host dialled (SNI too).',
  ),
  REDIS_TLS_INSECURE: flag
    .default(false)
    .describe('`true` skips verifying the Redis certificate (logged as a warning at start). Never in production.'),
});

type RedisEnv = z.output<typeof redisEnv> & { readonly REDIS_URL?: string | undefined };

export interface RedisNode {
  readonly host: string;
  readonly port: number;
}

export interface RedisTlsConfig {
  /** PEM contents, read at start so a missing file stops the process rather than every connection. */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: Secret;
  readonly servername?: string;
  /** Certificate not verified: only ever from an explicit `REDIS_TLS_INSECURE=true`. */
  readonly insecure: boolean;
}

export type RedisTopology =
  | { readonly kind: 'single'; readonly url: Secret }
  | { readonly kind: 'cluster'; readonly nodes: readonly RedisNode[] }
  | {
      readonly kind: 'sentinel';
      readonly sentinels: readonly RedisNode[];
      readonly name: string;
      readonly sentinelPassword?: Secret;
    };

/** Everything the Redis client factory needs; credentials of a single node stay inside its URL. */
export interface RedisConnectionConfig {
  readonly topology: RedisTopology;
  readonly username?: string;
  readonly password?: Secret;
  /** Set: every connection uses TLS (`rediss://` or `REDIS_TLS=true`). */
  readonly tls?: RedisTlsConfig;
}

function parseNodes(name: string, raw: string, problems: string[]): RedisNode[] {
  const nodes: RedisNode[] = [];
  for (const entry of splitList(raw)) {
    const [, host, port] = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/.exec(entry) ?? [];
    if (host === undefined || Number(port) < 1 || Number(port) > 65535) {
      problems.push(`${name}: must be a comma-separated list of host:port`);
      return nodes;
    }
    nodes.push({ host: host.replace(/^\[|\]$/g, ''), port: Number(port) });
  }
  if (nodes.length === 0) problems.push(`${name}: must be a comma-separated list of host:port`);
  return nodes;
}

function parseTopology(env: RedisEnv, problems: string[]): RedisTopology | undefined {
  const given = (['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'] as const).filter((n) => env[n] !== undefined);
  if (given.length > 1) problems.push(`${given.join(', ')}: set exactly one of them`);
  if (env.REDIS_URL !== undefined) {
    if (!/^rediss?:\/\//.test(env.REDIS_URL)) problems.push('REDIS_URL: must start with redis:// or rediss://');
    return { kind: 'single', url: new Secret(env.REDIS_URL) };
  }
  if (env.REDIS_CLUSTER_NODES !== undefined) {
    return { kind: 'cluster', nodes: parseNodes('REDIS_CLUSTER_NODES', env.REDIS_CLUSTER_NODES, problems) };
  }
  if (env.REDIS_SENTINELS === undefined) {
    if (env.REDIS_SENTINEL_NAME !== undefined) problems.push('REDIS_SENTINEL_NAME: needs REDIS_SENTINELS');
    return undefined;
  }
  if (env.REDIS_SENTINEL_NAME === undefined) problems.push('REDIS_SENTINEL_NAME: required with REDIS_SENTINELS');
  return {
    kind: 'sentinel',
    sentinels: parseNodes('REDIS_SENTINELS', env.REDIS_SENTINELS, problems),
    name: env.REDIS_SENTINEL_NAME ?? '',
    ...(env.REDIS_SENTINEL_PASSWORD !== undefined && { sentinelPassword: new Secret(env.REDIS_SENTINEL_PASSWORD) }),
  };
}

/** The file's contents; a problem naming the variable (never the contents) when it cannot be read. */
function readPem(name: string, path: string | undefined, problems: string[]): string | undefined {
  if (path === undefined) return undefined;
  try {
    const pem = readFileSync(path, 'utf8');
    if (!pem.includes('-----BEGIN ')) problems.push(`${name}: ${path} is not a PEM file`);
    return pem;
  } catch (error) {
    problems.push(`${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    return undefined;
  }
}

const TLS_VARIABLES = [
  'REDIS_TLS_CA_FILE',
  'REDIS_TLS_CERT_FILE',
  'REDIS_TLS_KEY_FILE',
  'REDIS_TLS_SERVERNAME',
  'REDIS_TLS_INSECURE',
] as const;

function parseTls(env: RedisEnv, topology: RedisTopology, { problems, production }: ParseContext) {
  const urlTls = topology.kind === 'single' && topology.url.reveal().startsWith('rediss://');
  if (topology.kind === 'single' && env.REDIS_TLS && !urlTls) problems.push('REDIS_TLS: use rediss:// in REDIS_URL');
  if (!urlTls && !env.REDIS_TLS) {
    const stray = TLS_VARIABLES.filter((name) => env[name] !== undefined && env[name] !== false);
    if (stray.length > 0) problems.push(`${stray.join(', ')}: need TLS (rediss:// or REDIS_TLS=true)`);
    return undefined;
  }
  if ((env.REDIS_TLS_CERT_FILE === undefined) !== (env.REDIS_TLS_KEY_FILE === undefined)) {
    problems.push('REDIS_TLS_CERT_FILE, REDIS_TLS_KEY_FILE: set both or neither');
  }
  if (env.REDIS_TLS_INSECURE && production) problems.push('REDIS_TLS_INSECURE: not allowed in production');
  const ca = readPem('REDIS_TLS_CA_FILE', env.REDIS_TLS_CA_FILE, problems);
  const cert = readPem('REDIS_TLS_CERT_FILE', env.REDIS_TLS_CERT_FILE, problems);
  const key = readPem('REDIS_TLS_KEY_FILE', env.REDIS_TLS_KEY_FILE, problems);
  return {
    ...(ca !== undefined && { ca }),
    ...(cert !== undefined && { cert }),
    ...(key !== undefined && { key: new Secret(key) }),
    ...(env.REDIS_TLS_SERVERNAME !== undefined && { servername: env.REDIS_TLS_SERVERNAME }),
    insecure: env.REDIS_TLS_INSECURE,
  };
}

function hasUrlCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}

/**
 * The Redis connection settings, or undefined when no Redis is configured. Checks that exactly one
 * topology is given and reads the TLS files now, so that a typo is a start-up error naming the
 * variable rather than a reconnect loop. Problems never quote a value (the URL holds a password).
 */
export function parseRedisConnection(env: RedisEnv, context: ParseContext): RedisConnectionConfig | undefined {
  const { problems } = context;
  const topology = parseTopology(env, problems);
  if (topology === undefined) {
    const stray = (['REDIS_USERNAME', 'REDIS_PASSWORD', 'REDIS_SENTINEL_PASSWORD'] as const).filter(
      (name) => env[name] !== undefined,
    );
    if (stray.length > 0) problems.push(`${stray.join(', ')}: need a Redis (REDIS_URL, REDIS_CLUSTER_NODES, ...)`);
    if (env.REDIS_TLS || TLS_VARIABLES.some((name) => env[name] !== undefined && env[name] !== false)) {
      problems.push('REDIS_TLS: needs a Redis (REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS)');
    }
    return undefined;
  }
  if (topology.kind === 'single' && hasUrlCredentials(topology.url.reveal())) {
    const both = (['REDIS_USERNAME', 'REDIS_PASSWORD'] as const).filter((name) => env[name] !== undefined);
    if (both.length > 0) problems.push(`${both.join(', ')}: REDIS_URL already carries credentials`);
  }
  if (topology.kind !== 'sentinel' && env.REDIS_SENTINEL_PASSWORD !== undefined) {
    problems.push('REDIS_SENTINEL_PASSWORD: needs REDIS_SENTINELS');
  }
  const tls = parseTls(env, topology, context);
  return {
    topology,
    ...(env.REDIS_USERNAME !== undefined && { username: env.REDIS_USERNAME }),
    ...(env.REDIS_PASSWORD !== undefined && { password: new Secret(env.REDIS_PASSWORD) }),
    ...(tls !== undefined && { tls }),
  };
}
