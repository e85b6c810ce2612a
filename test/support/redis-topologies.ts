import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { freePort } from './redis-server';
import { until } from './wait';

/**
 * The Redis deployments companies run, as real processes on free loopback ports in a temp dir: a
 * 3-master cluster, a TLS server with a CA the test generates, Sentinel with a primary and a replica,
 * and an ACL user allowed exactly what the gateway needs. Each `start…` returns something to `stop()`.
 */

/** The user the gateway logs in as wherever a topology has ACLs: the line in docs/operations.md. */
export const GATEWAY_USER = 'cgw';
export const GATEWAY_PASSWORD = 'cgw-acl-password-5b1e';

/**
 * Exactly what the gateway sends: its keys and channels all start with `cgw:`; the commands are the
 * token cache's and the lock's (GET, SET, DEL, PTTL, EVAL), the integrations cache's (INCR, PEXPIRE,
 * MULTI/EXEC), the rate limiter's script (EVALSHA; inside it SET, INCRBY, PTTL, EXPIRE), pub/sub, and
 * what ioredis sends on connecting (INFO for its ready check; in a cluster CLUSTER SLOTS and INFO, and
 * CLIENT SETNAME on the connection that reads the slots).
 * The cluster test proves nothing of it is refused (ACL LOG stays empty) and that other things are.
 */
export const GATEWAY_ACL_RULES = [
  'resetkeys',
  '~cgw:*',
  'resetchannels',
  '&cgw:*',
  '-@all',
  '+get',
  '+set',
  '+del',
  '+pttl',
  '+expire',
  '+pexpire',
  '+incr',
  '+incrby',
  '+eval',
  '+evalsha',
  '+multi',
  '+exec',
  '+publish',
  '+subscribe',
  '+info',
  '+client|setname',
  '+cluster|slots',
  '+cluster|info',
] as const;

/** What the sentinels themselves require (`requirepass` on each; they use it with each other too). */
export const SENTINEL_PASSWORD = 'sentinel-password-91c2';

export const GATEWAY_ACL_LINE = `user ${GATEWAY_USER} on >${GATEWAY_PASSWORD} ${GATEWAY_ACL_RULES.join(' ')}`;

interface Process {
  readonly child: ChildProcess;
  readonly port: number;
}

function requireBinaries(): void {
  for (const [binary, flag] of [
    ['redis-server', '--version'],
    ['redis-cli', '--version'],
    ['openssl', 'version'],
  ] as const) {
    if (spawnSync(binary, [flag]).status !== 0) throw new Error(`${binary} is not installed`);
  }
}

/** Starts `redis-server args…` and resolves once its log says `ready`. */
function launch(args: string[], ready: string, port: number): Promise<Process> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes(ready)) resolve({ child, port });
    });
    child.on('exit', (code) => reject(new Error(`redis-server exited (${String(code)}): ${out}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopAll(processes: readonly Process[], dir: string): Promise<void> {
  for (const { child } of processes) child.kill('SIGKILL');
  await Promise.all(processes.map(({ child }) => exited(child)));
  rmSync(dir, { recursive: true, force: true });
}

function baseArgs(port: number, dir: string): string[] {
  return ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
}

/** The ACL user as command-line config: `--user cgw on >password ~cgw:* …`. */
function aclArgs(): string[] {
  return ['--user', GATEWAY_USER, 'on', `>${GATEWAY_PASSWORD}`, ...GATEWAY_ACL_RULES];
}

/** A direct connection for the test itself (the default user: it may do anything). */
export async function connectDirect(port: number, options: RedisOptions = {}): Promise<Redis> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1, ...options });
  await client.connect();
  return client;
}

export interface TestCluster {
  /** `REDIS_CLUSTER_NODES` for the gateway: every master, though one would do. */
  readonly nodes: string;
  readonly ports: readonly number[];
  /** Every key and value on every node (SCAN, never KEYS on a server that others use). */
  dump(): Promise<{ port: number; key: string; value: string }[]>;
  stop(): Promise<void>;
}

/** Three masters, no replicas, with the gateway's ACL user on each node. */
export async function startTestCluster(): Promise<TestCluster> {
  requireBinaries();
  const dir = mkdtempSync(path.join(tmpdir(), 'cgw-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  const processes = await Promise.all(
    ports.map((port) =>
      launch(
        [
          ...baseArgs(port, dir),
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--cluster-node-timeout',
          '2000',
          ...aclArgs(),
        ],
        'Ready to accept connections',
        port,
      ),
    ),
  );
  try {
    const created = spawnSync(
      'redis-cli',
      ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'],
      { encoding: 'utf8', timeout: 20_000 },
    );
    if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
    const clients = await Promise.all(ports.map((port) => connectDirect(port)));
    try {
      await until(
        async () =>
          (await Promise.all(clients.map((c) => c.cluster('INFO')))).every((info) => info.includes('cluster_state:ok')),
        { what: 'cluster_state:ok on every node', timeoutMs: 15_000 },
      );
    } finally {
      for (const client of clients) client.disconnect();
    }
  } catch (error) {
    await stopAll(processes, dir);
    throw error;
  }
  return {
    nodes: ports.map((port) => `127.0.0.1:${port}`).join(','),
    ports,
    async dump() {
      const entries: { port: number; key: string; value: string }[] = [];
      for (const port of ports) {
        const client = await connectDirect(port);
        try {
          let cursor = '0';
          do {
            const [next, keys] = await client.scan(cursor, 'COUNT', 1000);
            cursor = next;
            for (const key of keys) {
              const type = await client.type(key);
              entries.push({ port, key, value: type === 'string' ? ((await client.get(key)) ?? '') : type });
            }
          } while (cursor !== '0');
        } finally {
          client.disconnect();
        }
      }
      return entries;
    },
    stop: () => stopAll(processes, dir),
  };
}

export interface TestCertificates {
  readonly dir: string;
  readonly caFile: string;
  /** A CA that signed nothing here: a gateway trusting only it must refuse the server. */
  readonly otherCaFile: string;
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
}

function openssl(dir: string, args: string[]): void {
  const result = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`openssl ${args[0] ?? ''} failed: ${result.stderr}`);
}

/** A CA, a server certificate for 127.0.0.1/localhost and a client certificate, all signed by it (P-256). */
function makeCertificates(dir: string): TestCertificates & { serverCert: string; serverKey: string } {
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  for (const ca of ['ca', 'other-ca']) {
    openssl(dir, [
      'req',
      '-x509',
      ...key,
      '-keyout',
      `${ca}.key`,
      '-out',
      `${ca}.crt`,
      '-days',
      '1',
      '-subj',
      `/CN=${ca}`,
    ]);
  }
  writeFileSync(path.join(dir, 'san.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  for (const [name, extra] of [
    ['server', ['-extfile', 'san.ext']],
    ['client', []],
  ] as const) {
    openssl(dir, ['req', ...key, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=cgw-${name}`]);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '1',
      '-out',
      `${name}.crt`,
      ...extra,
    ]);
  }
  return {
    dir,
    caFile: path.join(dir, 'ca.crt'),
    otherCaFile: path.join(dir, 'other-ca.crt'),
    clientCertFile: path.join(dir, 'client.crt'),
    clientKeyFile: path.join(dir, 'client.key'),
    serverCert: path.join(dir, 'server.crt'),
    serverKey: path.join(dir, 'server.key'),
  };
}

export interface TestTlsRedis {
  readonly port: number;
  readonly certificates: TestCertificates;
  /** TLS options for a direct connection of the test's own. */
  readonly tls: { ca: string; cert: string; key: string };
  stop(): Promise<void>;
}

/**
 * TLS only (no plain port), client certificates required (mutual TLS), and the gateway's ACL user.
 */
export async function startTlsRedis(): Promise<TestTlsRedis> {
  requireBinaries();
  const dir = mkdtempSync(path.join(tmpdir(), 'cgw-tls-'));
  try {
    const certs = makeCertificates(dir);
    const port = await freePort();
    const server = await launch(
      [
        ...baseArgs(0, dir),
        '--tls-port',
        String(port),
        '--tls-cert-file',
        certs.serverCert,
        '--tls-key-file',
        certs.serverKey,
        '--tls-ca-cert-file',
        certs.caFile,
        '--tls-auth-clients',
        'yes',
        ...aclArgs(),
      ],
      'Ready to accept connections',
      port,
    );
    return {
      port,
      certificates: certs,
      tls: {
        ca: readFileSync(certs.caFile, 'utf8'),
        cert: readFileSync(certs.clientCertFile, 'utf8'),
        key: readFileSync(certs.clientKeyFile, 'utf8'),
      },
      stop: () => stopAll([server], dir),
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

export interface TestSentinel {
  /** `REDIS_SENTINELS` for the gateway. */
  readonly sentinels: string;
  readonly name: string;
  /** The primary's and the replica's ports (which is which changes with a failover). */
  readonly dataPorts: readonly number[];
  /** The port of the node the sentinels name as master now. */
  masterPort(): Promise<number>;
  /** `SENTINEL FAILOVER`, resolving once the sentinels name the replica as master and it says so. */
  failover(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A primary, one replica and three sentinels (quorum 2) watching them; the data nodes have the ACL
 * user, the sentinels a password of their own.
 */
export async function startTestSentinel(): Promise<TestSentinel> {
  requireBinaries();
  const dir = mkdtempSync(path.join(tmpdir(), 'cgw-sentinel-'));
  const name = 'cgw-primary';
  const processes: Process[] = [];
  try {
    const primaryPort = await freePort();
    processes.push(
      await launch([...baseArgs(primaryPort, dir), ...aclArgs()], 'Ready to accept connections', primaryPort),
    );
    const replicaPort = await freePort();
    processes.push(
      await launch(
        [...baseArgs(replicaPort, dir), '--replicaof', '127.0.0.1', String(primaryPort), ...aclArgs()],
        'Ready to accept connections',
        replicaPort,
      ),
    );
    const sentinelPorts = [await freePort(), await freePort(), await freePort()];
    for (const port of sentinelPorts) {
      // Sentinel rewrites its config file, so each gets its own.
      const file = path.join(dir, `sentinel-${port}.conf`);
      writeFileSync(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${primaryPort} 2`,
          `sentinel down-after-milliseconds ${name} 2000`,
          `sentinel failover-timeout ${name} 10000`,
          `requirepass ${SENTINEL_PASSWORD}`,
          '',
        ].join('\n'),
      );
      processes.push(await launch([file, '--sentinel'], '+monitor master', port));
    }
    const sentinel = await connectDirect(sentinelPorts[0]!, { password: SENTINEL_PASSWORD });
    try {
      // A failover needs the sentinels to know the replica and each other.
      await until(
        async () => {
          const replicas = (await sentinel.call('SENTINEL', 'REPLICAS', name)) as unknown[];
          const ok = await sentinel.call('SENTINEL', 'CKQUORUM', name).then(
            () => true,
            () => false,
          );
          return replicas.length === 1 && ok;
        },
        { what: 'the sentinels to know the replica and reach quorum', timeoutMs: 15_000 },
      );
    } finally {
      sentinel.disconnect();
    }
  } catch (error) {
    await stopAll(processes, dir);
    throw error;
  }
  const sentinelPorts = processes.slice(2).map((p) => p.port);
  const masterPort = async () => {
    const sentinel = await connectDirect(sentinelPorts[0]!, { password: SENTINEL_PASSWORD });
    try {
      const [, port] = (await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as [string, string];
      return Number(port);
    } finally {
      sentinel.disconnect();
    }
  };
  return {
    sentinels: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(','),
    name,
    dataPorts: processes.slice(0, 2).map((p) => p.port),
    masterPort,
    async failover() {
      const before = await masterPort();
      const sentinel = await connectDirect(sentinelPorts[0]!, { password: SENTINEL_PASSWORD });
      try {
        await sentinel.call('SENTINEL', 'FAILOVER', name);
      } finally {
        sentinel.disconnect();
      }
      await until(async () => (await masterPort()) !== before, { what: 'a new master', timeoutMs: 20_000 });
      const promoted = await connectDirect(await masterPort());
      try {
        await until(async () => (await promoted.role())[0] === 'master', { what: 'the replica promoted' });
      } finally {
        promoted.disconnect();
      }
    },
    stop: () => stopAll(processes, dir),
  };
}
