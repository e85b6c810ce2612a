import { spawnSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

/**
 * Debian's Chromium, headless, with the flags that keep it from reaching for Google's services
 * (this machine has no internet, and the tests assert that nothing leaves loopback anyway).
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = CANDIDATES.find((path) => spawnSync(path, ['--version']).status === 0);
  if (executablePath === undefined) {
    throw new Error('Chromium is not installed: run `npm test` (it installs it) or `apt-get install chromium`');
  }
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}
