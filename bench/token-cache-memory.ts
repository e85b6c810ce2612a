import { randomBytes } from 'node:crypto';
import { deriveCacheKeys } from '../src/infra/crypto/key-derivation';
import { MemoryTokenStore } from '../src/session-tokens/memory-token-store';

/**
 * Heap cost of the in-memory token cache: fills it with N realistic tokens (Cobalt-sized JWTs) and
 * prints the heap growth against an empty baseline measured in the same run.
 * Usage: node --expose-gc --import tsx bench/token-cache-memory.ts [N]
 */
const count = Number(process.argv[2] ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');

function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  const store = new MemoryTokenStore({
    maxEntries: count,
    keys: deriveCacheKeys({ namespace: 'bench', nameKeys: [randomBytes(32)] }),
  });
  const before = heap();
  const now = Date.now();
  for (let i = 0; i < count; i += 1) {
    const id = `user_${i}`;
    const payload = Buffer.from(
      JSON.stringify({
        org_id: '63c93da0b46b7243785a1e17',
        linked_account_id: id,
        environment: 'test',
        iat: 1,
        exp: 2,
        jti: crypto.randomUUID(),
      }),
    ).toString('base64url');
    const token = `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.${payload}.${'s'.repeat(43)}`;
    await store.set(id, { token, linkedAccountId: id, expiresAt: now + 3_600_000, refreshAt: now + 3_000_000 });
  }
  const after = heap();
  const mb = (after - before) / 1024 / 1024;
  process.stdout.write(
    `| cached tokens | heap growth | per token |\n|---|---|---|\n| ${count.toLocaleString('en')} | ${mb.toFixed(1)} MB | ${((after - before) / count).toFixed(0)} B |\n`,
  );
  if (store.size !== count) throw new Error(`expected ${count} entries, found ${store.size}`);
}

void main();
