// The hosted sign-in pages in a real browser (Debian's Chromium through playwright-core): sign-up,
// confirmation with the code the server e-mailed (to a real SMTP server, aiosmtpd), which signs in
// back to the app's callback, TOTP setup on the MFA_SETUP page (the code computed here from the secret the page
// shows, RFC 6238) and sign-in with MFA, forgot password, the languages, and logout once
// /logout exists. Every page is saved as a screenshot (tests/node/artifacts/hosted-ui/).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { launchBrowser, shot } from '../lib/browser.mjs';
import { startServer, unique, verifiedEmail } from '../lib/cognate.mjs';

const PASSWORD = 'Passw0rd!';
const GROUP = 'hosted-ui';

// The relying party: a local web app whose callback and sign-out pages record each visit (the
// browser really goes there; http://localhost is allowed for callbacks).
let APP;
let CALLBACK;
let SIGNED_OUT;
const appVisits = [];
let appServer;
let framingUrl = '';

let server;
let browser;
let pagesReady = false;

// A real SMTP server (tests/support/smtp_capture.py, aiosmtpd) that the server mails codes to;
// without aiosmtpd the codes are read from the server's outbox instead.
const smtpScript = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../support/smtp_capture.py',
);
let smtp = null;
let mailFile = null;

async function startSmtp() {
  mailFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cognate-smtp-')), 'mail.jsonl');
  const proc = spawn('/usr/bin/python3', [smtpScript, mailFile, '--port', '0', '--lifeline'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise((resolve) => {
    let out = '';
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/READY (\d+)/);
      if (m) resolve(Number(m[1]));
    });
    proc.on('exit', () => resolve(null));
  });
  if (!port) return null;
  smtp = proc;
  return port;
}

// The 6-digit code of the latest e-mail to `to` once `count` + 1 of them arrived.
async function mailCode(poolId, to, count = 0) {
  if (!smtp) return (await server.waitForCode({ poolId, destination: to, count })).code;
  const deadline = Date.now() + 10000;
  for (;;) {
    const mails = fs.existsSync(mailFile)
      ? fs
          .readFileSync(mailFile, 'utf8')
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l))
          .filter((m) => m.rcpt_tos.includes(to))
      : [];
    if (mails.length > count) {
      const text = mails[count].data.replace(/=\r?\n/g, '');
      const code = text.match(/\b(\d{6})\b/)?.[1];
      assert.ok(code, text);
      return code;
    }
    if (Date.now() > deadline) throw new Error(`no e-mail to ${to}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

before(async () => {
  const smtpPort = await startSmtp();
  server = await startServer(
    smtpPort
      ? { args: ['--smtp-url', `smtp://127.0.0.1:${smtpPort}`, '--smtp-from', 'no-reply@example.com'] }
      : {},
  );
  browser = await launchBrowser();
  appServer = http.createServer((req, res) => {
    appVisits.push(`${APP}${req.url}`);
    const body = req.url.startsWith('/evil')
      ? `<iframe id="f" src="${framingUrl}"></iframe>`
      : '<p>app</p>';
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(body);
  });
  await new Promise((resolve) => appServer.listen(0, '127.0.0.1', resolve));
  APP = `http://localhost:${appServer.address().port}`;
  CALLBACK = `${APP}/callback`;
  SIGNED_OUT = `${APP}/signed-out`;
  // Until the authorization endpoint's rules (oauth) are in the build, no page can be served.
  const probe = await fetch(`${server.endpoint}/login?client_id=probe`);
  pagesReady = !(await probe.text()).includes('not implemented yet');
});

function requirePages(t) {
  if (!pagesReady) t.skip('ParseAuthorize (oauth) has not landed in this build');
  return pagesReady;
}

after(async () => {
  smtp?.stdin.end();
  appServer?.close();
  await browser?.close();
  await server?.stop();
});

// ---- TOTP (RFC 6238 / 4226) ------------------------------------------------------------------

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/=+$/, '')) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

const stepNow = () => Math.floor(Date.now() / 1000 / 30);

function totp(secret, step = stepNow()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(value % 1_000_000).padStart(6, '0');
}

// ---- helpers ---------------------------------------------------------------------------------

async function makeApp({ mfa = false } = {}) {
  const pool = await server.admin.send(
    new CreateUserPoolCommand({
      PoolName: unique('hosted'),
      AutoVerifiedAttributes: ['email'],
      Schema: [{ Name: 'email', Required: true, AttributeDataType: 'String', Mutable: true }],
    }),
  );
  const poolId = pool.UserPool.Id;
  if (mfa) {
    await server.admin.send(
      new SetUserPoolMfaConfigCommand({
        UserPoolId: poolId,
        MfaConfiguration: 'ON',
        SoftwareTokenMfaConfiguration: { Enabled: true },
      }),
    );
  }
  const client = await server.admin.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'web',
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      PreventUserExistenceErrors: 'ENABLED',
      CallbackURLs: [CALLBACK],
      LogoutURLs: [SIGNED_OUT],
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      AllowedOAuthFlowsUserPoolClient: true,
      SupportedIdentityProviders: ['COGNITO'],
    }),
  );
  return { poolId, clientId: client.UserPoolClient.ClientId };
}

async function makeUser(poolId, username, email) {
  await server.createConfirmedUser({
    poolId,
    username,
    password: PASSWORD,
    attributes: verifiedEmail(email),
  });
}

function authorizeQuery(clientId, extra = {}) {
  return new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    scope: 'openid email',
    redirect_uri: CALLBACK,
    state: unique('state'),
    ...extra,
  }).toString();
}

// A browser page of its own (own cookies); `callbacks` is the app's record of visits.
async function appPage() {
  const page = await browser.newPage();
  return { page, callbacks: appVisits };
}

// Opens the sign-in page through /oauth2/authorize (or /login directly before oauth landed).
async function openLogin(page, clientId, extra = {}) {
  const query = authorizeQuery(clientId, extra);
  const resp = await page.goto(`${server.endpoint}/oauth2/authorize?${query}`);
  if (!resp || resp.status() === 404 || !page.url().includes('/login')) {
    await page.goto(`${server.endpoint}/login?${query}`);
  }
  await page.waitForSelector('#username');
}

async function waitForCallback(page, callbacks) {
  await page.waitForURL(`${CALLBACK}**`);
  const url = new URL(page.url());
  assert.ok(callbacks.includes(url.toString()), 'the app saw the callback');
  assert.ok(url.searchParams.get('code'), url.toString());
  return url;
}

// ---- tests -----------------------------------------------------------------------------------

test('sign up, confirm with the e-mailed code, sign in', async (t) => {
  if (!requirePages(t)) return;
  const { poolId, clientId } = await makeApp();
  const { page, callbacks } = await appPage();
  await openLogin(page, clientId);
  await shot(page, GROUP, '01-login');
  // The first field has the focus and every input has a label.
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'username');
  await page.click('a[href^="/signup"]');
  await page.waitForSelector('#attr_email');
  await shot(page, GROUP, '02-signup');
  const email = `${unique('kim')}@example.com`;
  await page.fill('#username', 'kim');
  await page.fill('#attr_email', email);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('#code');
  await shot(page, GROUP, '03-confirm');
  const code = await mailCode(poolId, email);
  await page.fill('#code', code);
  await page.click('button[name=confirm]');
  // Signed up and confirmed in this browser: signed in, straight back to the app.
  await waitForCallback(page, callbacks);
});

test('wrong password: the error is announced and focused', async (t) => {
  if (!requirePages(t)) return;
  const { poolId, clientId } = await makeApp();
  await makeUser(poolId, 'lena', `${unique('lena')}@example.com`);
  const { page } = await appPage();
  await openLogin(page, clientId, { lang: 'de' });
  await page.fill('#username', 'lena');
  await page.fill('#password', 'Wr0ng-pass!');
  await page.click('button[type=submit]');
  const alert = page.locator('[role=alert]');
  await alert.waitFor();
  assert.equal((await alert.textContent()).trim(), 'Falscher Benutzername oder falsches Passwort.');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'password');
  await shot(page, GROUP, '05-error-de');
});

test('TOTP setup on the MFA_SETUP page, then sign-in with the TOTP code', async (t) => {
  if (!requirePages(t)) return;
  const { poolId, clientId } = await makeApp({ mfa: true });
  await makeUser(poolId, 'max', `${unique('max')}@example.com`);
  const first = await appPage();
  await openLogin(first.page, clientId);
  await first.page.fill('#username', 'max');
  await first.page.fill('#password', PASSWORD);
  await first.page.click('button[type=submit]');
  await first.page.waitForSelector('#secret-code');
  assert.ok(await first.page.locator('figure.qr svg[role=img]').isVisible());
  await shot(first.page, GROUP, '06-mfa-setup');
  const secret = (await first.page.textContent('#secret-code')).trim();
  const step = stepNow();
  await first.page.fill('#code', totp(secret, step));
  await first.page.fill('#device_name', 'phone');
  await first.page.click('button[type=submit]');
  await waitForCallback(first.page, first.callbacks);

  // A new browser (no hosted session): password, then the TOTP page, with a step not yet used:
  // the next one, inside the ±1-step window (RFC 6238 §5.2), so no 30 s wait for it.
  const second = await appPage();
  await openLogin(second.page, clientId);
  await second.page.fill('#username', 'max');
  await second.page.fill('#password', PASSWORD);
  await second.page.click('button[type=submit]');
  await second.page.waitForSelector('#code');
  await shot(second.page, GROUP, '07-mfa-totp');
  await second.page.fill('#code', totp(secret, step + 1));
  await second.page.click('button[type=submit]');
  await waitForCallback(second.page, second.callbacks);
});

test('forgot password, reset with the e-mailed code, sign in', async (t) => {
  if (!requirePages(t)) return;
  const { poolId, clientId } = await makeApp();
  const email = `${unique('nora')}@example.com`;
  await makeUser(poolId, 'nora', email);
  const { page, callbacks } = await appPage();
  await openLogin(page, clientId, { lang: 'fr' });
  await shot(page, GROUP, '08-login-fr');
  await page.click('a[href^="/forgotPassword"]');
  await page.waitForSelector('#username');
  await shot(page, GROUP, '09-forgot');
  await page.fill('#username', 'nora');
  await page.click('button[type=submit]');
  await page.waitForSelector('#code');
  await shot(page, GROUP, '10-reset');
  const code = await mailCode(poolId, email);
  await page.fill('#code', code);
  await page.fill('#password', 'N3w-Passw0rd!');
  await page.click('button[type=submit]');
  // The new password signs the user in at once.
  await waitForCallback(page, callbacks);
});

test('the sign-in page refuses to be framed', async (t) => {
  if (!requirePages(t)) return;
  const { clientId } = await makeApp();
  const page = await browser.newPage();
  framingUrl = `${server.endpoint}/login?${authorizeQuery(clientId)}`;
  await page.goto(`${APP}/evil`);
  await page.waitForTimeout(500);
  const frame = page.frames().find((f) => f !== page.mainFrame());
  const framedForm = frame ? await frame.$('#username').catch(() => null) : null;
  assert.equal(framedForm, null);
});

test('logout ends the hosted session', async (t) => {
  if (!requirePages(t)) return;
  const { poolId, clientId } = await makeApp();
  await makeUser(poolId, 'olga', `${unique('olga')}@example.com`);
  const { page, callbacks } = await appPage();
  await openLogin(page, clientId);
  await page.fill('#username', 'olga');
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await waitForCallback(page, callbacks);
  const probe = await page.request.get(
    `${server.endpoint}/logout?client_id=${clientId}&logout_uri=${encodeURIComponent(SIGNED_OUT)}`,
    { maxRedirects: 0 },
  );
  if (probe.status() !== 302) {
    t.skip('/logout (oauth) has not landed in this build');
    return;
  }
  await page.goto(
    `${server.endpoint}/logout?client_id=${clientId}&logout_uri=${encodeURIComponent(SIGNED_OUT)}`,
  );
  await page.waitForURL(`${SIGNED_OUT}**`);
  const cookies = await page.context().cookies(server.endpoint);
  assert.ok(!cookies.some((c) => c.name === 'cognito' && c.value));
  // Back at /oauth2/authorize: the password is asked again.
  await page.goto(`${server.endpoint}/oauth2/authorize?${authorizeQuery(clientId)}`);
  await page.waitForSelector('#username');
  await shot(page, GROUP, '11-after-logout');
});
