import { describe, expect, it } from '@jest/globals';
import type { CobaltApplication } from '../../../src/cobalt/application';
import { MemoryIntegrationsCache } from '../../../src/integrations/integrations-cache';
import { IntegrationsService } from '../../../src/integrations/integrations.service';
import { ManualClock } from '../../support/manual-clock';

/** Lets the service's awaits (cache reads) run until it has called Cobalt. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const app = (slug: string, connected = false): CobaltApplication => ({
  slug,
  name: slug,
  icon: null,
  description: null,
  authType: 'oauth2',
  connected,
  reauthRequired: false,
  connectedAccounts: [],
});

/** A Cobalt stand-in whose list answers are released by the test, so interleavings are exact. */
function controlledCobalt() {
  const pending: ((apps: CobaltApplication[]) => void)[] = [];
  let calls = 0;
  const cobalt = {
    listApplications: () => {
      calls += 1;
      return new Promise<CobaltApplication[]>((resolve) => pending.push(resolve));
    },
    getApplication: () => Promise.reject(new Error('not used')),
    createConnectUrl: () => Promise.reject(new Error('not used')),
  };
  return { cobalt, pending, calls: () => calls };
}

const noTokens = { getToken: () => Promise.reject(new Error('not used')) };

describe('IntegrationsService', () => {
  it('does not cache a list that was in flight when the account was invalidated', async () => {
    const { cobalt, pending, calls } = controlledCobalt();
    const cache = new MemoryIntegrationsCache();
    const service = new IntegrationsService({ cobalt, sessionTokens: noTokens, cache, cacheTtlMs: 60_000 });

    const before = service.list('u1');
    await settle();
    await service.invalidate('u1');
    pending[0]!([app('slack')]);
    await before;
    const after = service.list('u1');
    await settle();
    pending[1]!([app('slack', true)]);

    expect((await after)[0]!.connected).toBe(true);
    expect(calls()).toBe(2);
  });

  it('caches for the TTL on its clock, then asks again', async () => {
    const { cobalt, pending, calls } = controlledCobalt();
    const clock = new ManualClock();
    const cache = new MemoryIntegrationsCache(clock);
    const service = new IntegrationsService({ cobalt, sessionTokens: noTokens, cache, cacheTtlMs: 30_000 });

    const first = service.list('u1');
    await settle();
    pending[0]!([app('slack')]);
    await first;
    await clock.advance(29_999);
    await service.list('u1');
    await clock.advance(1);
    const expired = service.list('u1');
    await settle();
    pending[1]!([app('slack')]);
    await expired;

    expect(calls()).toBe(2);
  });

  it('never caches with a TTL of 0, but still shares one call between concurrent askers', async () => {
    const { cobalt, pending, calls } = controlledCobalt();
    const cache = new MemoryIntegrationsCache();
    const service = new IntegrationsService({ cobalt, sessionTokens: noTokens, cache, cacheTtlMs: 0 });

    const together = [service.list('u1'), service.list('u1')];
    await settle();
    pending[0]!([app('slack')]);
    await Promise.all(together);
    const later = service.list('u1');
    await settle();
    pending[1]!([app('slack')]);
    await later;

    expect(calls()).toBe(2);
  });

  it('gives each request its own loaders', () => {
    const service = new IntegrationsService({
      cobalt: controlledCobalt().cobalt,
      sessionTokens: noTokens,
      cache: new MemoryIntegrationsCache(),
      cacheTtlMs: 0,
    });
    const requestA = { clientIp: '127.0.0.1' };

    expect(service.loadersFor(requestA)).toBe(service.loadersFor(requestA));
    expect(service.loadersFor({ clientIp: '127.0.0.1' })).not.toBe(service.loadersFor(requestA));
  });
});
