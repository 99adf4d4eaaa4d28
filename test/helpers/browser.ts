import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';

/** Debian's chromium (apt-get install chromium; .ci/run installs it). Never a downloaded browser. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where browser tests put their screenshots (git-ignored). */
export const ARTIFACTS_DIR = fileURLToPath(new URL('../artifacts/', import.meta.url));

/** Why browser tests cannot run here, or null when they can. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM_PATH)
    ? null
    : `no Chromium at ${CHROMIUM_PATH}: install Debian's package (apt-get install chromium; .ci/run does) ` +
        'or set CHROMIUM_PATH';
}

export interface HeadlessChromium {
  /** A fresh context (its own cookies, cache), with these headers on every request, fetches included. */
  context(extraHTTPHeaders?: Record<string, string>): Promise<BrowserContext>;
  close(): Promise<void>;
}

/**
 * Headless Chromium with the flags that keep it off the network (it reaches
 * only the loopback servers the test opens). Playwright gives each launch a
 * fresh, empty profile (its own temporary --user-data-dir).
 */
export async function launchChromium(): Promise<HeadlessChromium> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // No name resolves but the loopback servers' (Chromium would otherwise ask DNS for Google's
      // hosts: autofill, fonts, updates): nothing leaves 127.0.0.1, not even a DNS query.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
      '--disable-features=AutofillServerCommunication,OptimizationHints,Translate,MediaRouter',
    ],
  });
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return {
    context: (extraHTTPHeaders) =>
      browser.newContext({
        viewport: { width: 1280, height: 800 },
        ...(extraHTTPHeaders ? { extraHTTPHeaders } : {}),
      }),
    close: () => browser.close(),
  };
}

/** `Authorization: Basic …` (Chromium refuses credentials in the URL for a page's own fetches). */
export function basicAuthHeader(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}
