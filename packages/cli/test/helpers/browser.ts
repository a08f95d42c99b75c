// Opens a report in a real headless Chromium (Debian's, at /usr/bin/chromium) and records what the
// page did: console errors, page errors and every request it made besides loading itself.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Why browser tests cannot run here, or null when they can. In CI (CI set) a missing browser is a
 * failure, not a skip: .ci/run installs it, so its absence means the setup broke.
 */
export function browserMissing(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const why = `no Chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run installs it)`;
  if (process.env.CI !== undefined && process.env.CI !== '')
    throw new Error(`CI needs the browser tests: ${why}`);
  return why;
}

export interface OpenedPage {
  page: Page;
  /** Console errors and uncaught page errors, as text. */
  errors: string[];
  /** URLs of every request other than the report itself. */
  requests: string[];
}

let browser: Browser | undefined;

/** One browser for the file's tests; closed by `closeBrowser`. */
export async function openFile(file: string): Promise<OpenedPage> {
  browser ??= await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const url = pathToFileURL(file).href;
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page: ${error.message}`));
  page.on('request', (request) => {
    if (request.url() !== url) requests.push(request.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors, requests };
}

export async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = undefined;
}
