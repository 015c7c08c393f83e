// Debian's Chromium, driven by playwright-core, for the tests that look at an HTML report as a
// user does and for `npm run screenshots`. No browser is downloaded: the machine's own is used
// (apt-get install chromium; .ci/run installs it), and without it this fails, saying so.
import { existsSync } from 'node:fs';
import { chromium } from 'playwright-core';

/** Where Chromium is: $CHROMIUM, else Debian's /usr/bin/chromium. */
export const chromiumPath = process.env.CHROMIUM ?? '/usr/bin/chromium';

/**
 * Starts headless Chromium (playwright gives it a new empty profile). The flags keep it off the network it would
 * otherwise reach for at start (updates, sync, safe browsing): a report is one local file.
 */
export async function launchChromium() {
  if (!existsSync(chromiumPath)) {
    throw new Error(`no Chromium at ${chromiumPath}: install Debian's chromium package (apt-get install chromium) or set CHROMIUM to its path`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
