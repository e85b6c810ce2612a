import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Secret } from '../../src/config/secret';
import { SharedRedis } from '../../src/infra/redis/shared-redis';
import { captureLogs } from '../support/capture-logger';
import { connectInspector, startTestRedis, type TestRedis } from '../support/redis-server';
import { until } from '../support/wait';

describe('the shared Redis connections', () => {
  let redis: TestRedis;

  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('delivers a channel registered after connect() without waiting for a reconnection', async () => {
    const shared = new SharedRedis(
      { connection: { topology: { kind: 'single', url: new Secret(redis.url) } }, commandTimeoutMs: 1000 },
      { log: captureLogs().log },
    );
    const publisher = await connectInspector(redis.url);
    try {
      await shared.connect();
      const received: string[] = [];
      shared.onMessage('cgw:test:late', (message) => received.push(message));

      // PUBLISH answers how many subscribers got it: once it is 1, the late SUBSCRIBE went out.
      await until(async () => (await publisher.publish('cgw:test:late', 'hello')) === 1, {
        what: 'a subscriber on the channel registered after connect()',
        timeoutMs: 3000,
      });
      await until(() => received.includes('hello'), { what: 'the message delivered' });
      expect(received[0]).toBe('hello');
    } finally {
      publisher.disconnect();
      await shared.close();
    }
  });
});
