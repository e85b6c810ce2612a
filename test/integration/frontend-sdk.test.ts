import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { startExampleServer } from '../../examples/web/serve';
import { launchChromium } from '../support/browser';
import { signTestJwt } from '../support/jwt';
import { ShiftedClock } from '../support/shifted-clock';
import { SDK_APPLICATIONS_PATH, SESSION_TOKEN_PATH } from '../support/operations';
import { freshAccount, startTestGateway, type TestGateway } from '../support/test-gateway';

const artifacts = join(__dirname, '../artifacts');

/**
 * examples/web in a real Chromium: the page mints through the gateway, then Cobalt's real
 * frontend SDK (@cobaltio/cobalt-js 8.0.0) uses that token against the emulator.
 */
describe("Cobalt's frontend SDK with a token from the gateway", () => {
  let gw: TestGateway | undefined;
  let browser: Browser | undefined;
  // Cobalt's clock: jumping it expires the page's session token without waiting for it.
  const cobaltClock = new ShiftedClock();

  beforeAll(async () => {
    gw = await startTestGateway({ emulator: { clock: cobaltClock } });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  async function openExample(account: string): Promise<{ page: Page; close: () => Promise<void>; offsite: string[] }> {
    const example = await startExampleServer({
      gatewayUrl: gw!.url,
      cobaltBaseUrl: gw!.emulator.url,
      bearerToken: await signTestJwt({ sub: account }, { expiresIn: 3600 }),
    });
    const page = await browser!.newPage();
    const offsite: string[] = [];
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(example.url) && !url.startsWith(gw!.emulator.url)) offsite.push(url);
    });
    await page.goto(example.url);
    return {
      page,
      offsite,
      close: async () => {
        await page.close();
        await example.close();
      },
    };
  }

  /** Waits until the page has finished (ready, re-minted or failed) and returns what it shows. */
  async function settled(page: Page): Promise<{ state: string | null; text: string | null }> {
    await page.waitForSelector('#status:not([data-state="loading"]):not([data-state="reminting"])', {
      timeout: 20_000,
    });
    const status = page.locator('#status');
    return { state: await status.getAttribute('data-state'), text: await status.textContent() };
  }

  it('lists the integrations with the minted token', async () => {
    const account = freshAccount(gw!.emulator);
    gw!.emulator.connectApplication(account, 'slack');
    const { page, close, offsite } = await openExample(account);
    try {
      expect(await settled(page)).toEqual({ state: 'ready', text: '3 integrations' });
      const items = await page.locator('#integrations li').allTextContents();
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'frontend-sdk.png') });

      expect(items).toEqual(['Slack (connected)', 'HubSpot (not connected)', 'Freshdesk (not connected)']);
      const sdkCalls = gw!.emulator.received(SDK_APPLICATIONS_PATH);
      expect(sdkCalls).toHaveLength(1);
      expect(sdkCalls[0]!.headers['authorization']).toMatch(/^Bearer eyJ/);
      expect(sdkCalls[0]!.headers['x-api-key']).toBeUndefined();
      expect(offsite).toEqual([]);
    } finally {
      await close();
    }
  }, 60_000);

  it('re-mints and recovers when Cobalt has revoked the token', async () => {
    const account = freshAccount(gw!.emulator);
    const { page, close } = await openExample(account);
    try {
      expect(await settled(page)).toEqual({ state: 'ready', text: '3 integrations' });
      const first = gw!.emulator.received(SDK_APPLICATIONS_PATH).at(-1)!.headers['authorization'] as string;
      gw!.emulator.revokeToken(first.slice('Bearer '.length));

      await page.click('#reload');

      expect(await settled(page)).toEqual({ state: 'reminted', text: 'Re-minted the session token; 3 integrations' });
      expect(await page.locator('#integrations li').count()).toBe(3);
      const forced = gw!.emulator.received(SESSION_TOKEN_PATH).filter((r) => r.search === '?force_refresh=true');
      expect(forced.length).toBeGreaterThanOrEqual(1);
    } finally {
      await close();
    }
  }, 60_000);

  it('re-mints and recovers when the token has expired', async () => {
    const account = freshAccount(gw!.emulator);
    gw!.emulator.settings.tokenTtlSeconds = 2;
    const { page, close } = await openExample(account);
    try {
      expect(await settled(page)).toEqual({ state: 'ready', text: '3 integrations' });
      cobaltClock.advance(3000);

      await page.click('#reload');

      expect(await settled(page)).toEqual({ state: 'reminted', text: 'Re-minted the session token; 3 integrations' });
      expect(await page.locator('#integrations li').count()).toBe(3);
    } finally {
      gw!.emulator.settings.tokenTtlSeconds = 72 * 3600;
      await close();
    }
  }, 60_000);
});
