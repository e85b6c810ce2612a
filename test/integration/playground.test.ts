import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { signTestJwt } from '../support/jwt';
import { CONNECT_URL_PATH, SESSION_TOKEN_PATH } from '../support/operations';
import { KNOWN_ACCOUNT, startTestGateway, type TestGateway } from '../support/test-gateway';

const artifacts = join(__dirname, '../artifacts');

describe('the playground, in a real headless Chromium', () => {
  let gw: TestGateway | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    gw = await startTestGateway({ devBearerToken: await signTestJwt({ sub: KNOWN_ACCOUNT }, { expiresIn: 3600 }) });
    browser = await launchChromium();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.stop();
  });

  it('loads with nothing leaving loopback and runs the ready-made flow: token, integrations, connect', async () => {
    const page = await browser!.newPage({ viewport: { width: 1400, height: 900 } });
    const requested: string[] = [];
    const problems: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('response', (res) => {
      if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.url()}`);
    });

    const response = await page.goto(gw!.url);
    await page.locator('.graphiql-execute-button').waitFor({ timeout: 20_000 });
    const result = page.locator('.graphiql-response');
    // What a newcomer does: press Run, pick the operation (the document holds the whole flow).
    const run = async (operation: string, until: string) => {
      await page.locator('.graphiql-execute-button').click();
      await page.getByRole('menuitem', { name: operation, exact: true }).click();
      await page.waitForFunction(
        (text) => document.querySelector('.graphiql-response')?.textContent.includes(text) === true,
        until,
        { timeout: 20_000 },
      );
      return (await result.textContent()) ?? '';
    };
    const text = await run('CreateSessionToken', 'linkedAccountId');
    const integrations = await run('Integrations', 'connectedAccounts');
    const connect = await run('CreateConnectUrl', '"url"');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'playground.png') });

    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(text).toContain(KNOWN_ACCOUNT);
    expect(text).toMatch(/"token":\s*"eyJ/);
    expect(gw!.emulator.received(SESSION_TOKEN_PATH)).toHaveLength(1);
    expect(integrations).toMatch(/"slug":\s*"slack"/);
    expect(connect).toContain(`${gw!.emulator.url}/connect/eyJ`);
    expect(gw!.emulator.received(CONNECT_URL_PATH)).toHaveLength(1);
    const offsite = requested.filter((url) => !url.startsWith(gw!.origin) && !url.startsWith('data:'));
    expect(offsite).toEqual([]);
    expect(problems).toEqual([]);
  }, 60_000);

  it('is not served in production unless enabled', async () => {
    const prod = await startTestGateway({ env: { NODE_ENV: 'production' } });
    try {
      const res = await fetch(prod.url, { headers: { accept: 'text/html' } });
      const body = await res.text();

      expect(res.headers.get('content-type')).not.toContain('text/html');
      expect(body).not.toMatch(/graphiql|GraphQL Playground|embeddable-sandbox|apollo-server-landing-page/i);
    } finally {
      await prod.stop();
    }
  });
});
