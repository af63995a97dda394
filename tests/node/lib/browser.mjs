// A real browser for the hosted-page tests: Debian's Chromium driven by playwright-core (no
// downloaded browser). Screenshots go to tests/node/artifacts/<test file>/ (or
// $COGNATE_ARTIFACTS), which CI keeps as test artifacts.
//
//   const browser = await launchBrowser();
//   const page = await browser.newPage();          // a fresh context per page: no shared cookies
//   await page.goto(url); await shot(page, 'login');
//   await browser.close();
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
export const chromiumPath = process.env.COGNATE_CHROMIUM ?? '/usr/bin/chromium';
export const artifactsRoot =
  process.env.COGNATE_ARTIFACTS ?? path.resolve(here, '../artifacts');

// GUIDE §4: headless, no sandbox (CI runs as root), nothing phoning home.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

// Launches Chromium. `options.ignoreHTTPSErrors` for the self-signed development certificate;
// `options.hostMap` (e.g. {'*.auth.localhost': '127.0.0.1'}) adds --host-resolver-rules.
export async function launchBrowser(options = {}) {
  const args = [...FLAGS];
  if (options.hostMap) {
    const rules = Object.entries(options.hostMap).map(([h, ip]) => `MAP ${h} ${ip}`).join(', ');
    args.push(`--host-resolver-rules=${rules}`);
  }
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args });
  const newContext = browser.newContext.bind(browser);
  return {
    raw: browser,
    // A page in its own context (its own cookie jar).
    async newPage(contextOptions = {}) {
      const context = await newContext({
        ignoreHTTPSErrors: Boolean(options.ignoreHTTPSErrors),
        ...contextOptions,
      });
      return context.newPage();
    },
    close: () => browser.close(),
  };
}

// Saves a full-page screenshot as <artifacts>/<group>/<name>.png and returns its path.
export async function shot(page, group, name) {
  const dir = path.join(artifactsRoot, group);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
