import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { auditServer, type AuditResult } from 'graphql-http';
import { startTestGateway, type TestGateway } from '../support/test-gateway';

const BASELINE_PATH = join(__dirname, '..', 'fixtures', 'graphql-http-audit.baseline.json');

interface BaselineEntry {
  readonly name: string;
  readonly status: AuditResult['status'];
  /** Required for every status other than ok: why we accept it. */
  readonly why?: string;
}

/** Audits that bear on security (no mutation over GET, no POST without a content type, 400 for bad documents): they must pass. */
const MUST_PASS = ['9C48', '9ABE', 'A5BF', '556A', '74FF'];
/** They send `__type(...)`, which fails once introspection is off: the only errors we accept. */
const INTROSPECTION_AUDITS = ['BF61', '28B9', '2EA1'];

describe('the graphql-http audit in production mode', () => {
  let gw: TestGateway;
  let results: AuditResult[];
  let baseline: Record<string, BaselineEntry>;

  beforeAll(async () => {
    gw = await startTestGateway({ env: { NODE_ENV: 'production' } });
    results = await auditServer({ url: gw.url, fetchFn: fetch });
    results.sort((a, b) => a.id.localeCompare(b.id));
    // `UPDATE_AUDIT_BASELINE=1 npx jest test/integration/graphql-http-audit.test.ts` rewrites the
    // statuses (the `why` texts are kept) after a deliberate change; review the diff.
    if (process.env['UPDATE_AUDIT_BASELINE'] === '1') {
      const old = JSON.parse(readFileSync(BASELINE_PATH, 'utf8')) as Record<string, BaselineEntry>;
      const next = Object.fromEntries(
        results.map((r) => [
          r.id,
          { name: r.name, status: r.status, ...(old[r.id]?.why !== undefined && { why: old[r.id]!.why }) },
        ]),
      );
      writeFileSync(BASELINE_PATH, `${JSON.stringify(next, null, 2)}\n`);
    }
    baseline = JSON.parse(readFileSync(BASELINE_PATH, 'utf8')) as Record<string, BaselineEntry>;
  }, 30_000);
  afterAll(async () => {
    await gw.stop();
  });

  it('ran every audit of graphql-http 1.23.1', () => {
    expect(results).toHaveLength(61);
  });

  it('matches the committed baseline, audit by audit', () => {
    const actual = Object.fromEntries(results.map((r) => [r.id, r.status]));
    const expected = Object.fromEntries(Object.entries(baseline).map(([id, entry]) => [id, entry.status]));

    expect(actual).toEqual(expected);
  });

  it('gives a reason for every accepted non-ok status in the baseline', () => {
    const unexplained = Object.entries(baseline).filter(([, entry]) => entry.status !== 'ok' && !entry.why);

    expect(unexplained).toEqual([]);
  });

  it('fails no MUST audit except the three that need introspection', () => {
    const errors = results.filter((r) => r.status === 'error').map((r) => r.id);

    expect(errors.filter((id) => !INTROSPECTION_AUDITS.includes(id))).toEqual([]);
  });

  it.each(MUST_PASS)('passes %s', (id) => {
    const result = results.find((r) => r.id === id);

    expect(result?.status).toBe('ok');
  });

  it('never got a 5xx', () => {
    const fiveHundreds = results.filter((r) => r.status !== 'ok' && /\b5\d\d\b/.test(r.reason));

    expect(fiveHundreds.map((r) => `${r.id}: ${r.status === 'ok' ? '' : r.reason}`)).toEqual([]);
  });
});
