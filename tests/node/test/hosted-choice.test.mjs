// Choice-based sign-in on the hosted pages (managed login, ManagedLoginVersion 2) in a real
// browser (Debian's Chromium through playwright-core): the username first, then one button per
// factor the user has (PASSWORD, EMAIL_OTP, SMS_OTP), then the password or code page, back to the
// app's callback; a wrong code announced and corrected; an unknown user offered the same choice;
// the French pages. Codes come from the server's outbox. Screenshots in
// tests/node/artifacts/hosted-choice/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { launchBrowser, shot } from '../lib/browser.mjs';
import { startServer, unique, verifiedEmail } from '../lib/cognate.mjs';

const PASSWORD = 'Passw0rd!';
const GROUP = 'hosted-choice';

let APP;
let CALLBACK;
const appVisits = [];
let appServer;
let server;
let browser;
let app;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  appServer = http.createServer((req, res) => {
    appVisits.push(`${APP}${req.url}`);
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<p>app</p>');
  });
  await new Promise((resolve) => appServer.listen(0, '127.0.0.1', resolve));
  APP = `http://localhost:${appServer.address().port}`;
  CALLBACK = `${APP}/callback`;
  app = await makeApp();
});

after(async () => {
  appServer?.close();
  await browser?.close();
  await server?.stop();
});

// A pool allowing every first factor, a client with ALLOW_USER_AUTH and a managed-login domain.
async function makeApp() {
  const pool = await server.admin.send(
    new CreateUserPoolCommand({
      PoolName: unique('choice'),
      Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP'] } },
    }),
  );
  const poolId = pool.UserPool.Id;
  const client = await server.admin.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'web',
      ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      PreventUserExistenceErrors: 'ENABLED',
      CallbackURLs: [CALLBACK],
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email'],
      AllowedOAuthFlowsUserPoolClient: true,
      SupportedIdentityProviders: ['COGNITO'],
    }),
  );
  await server.admin.send(
    new CreateUserPoolDomainCommand({
      UserPoolId: poolId,
      Domain: unique('choice').toLowerCase().replace(/[^a-z0-9-]/g, '-'),
      ManagedLoginVersion: 2,
    }),
  );
  return { poolId, clientId: client.UserPoolClient.ClientId };
}

// A user with a password, a verified e-mail address and a verified phone number.
async function makeUser(username) {
  const email = `${unique(username)}@example.com`;
  const phone = `+1206555${String(Date.now() % 10000).padStart(4, '0')}`;
  await server.createConfirmedUser({
    poolId: app.poolId,
    username,
    password: PASSWORD,
    attributes: [
      ...verifiedEmail(email),
      { Name: 'phone_number', Value: phone },
      { Name: 'phone_number_verified', Value: 'true' },
    ],
  });
  return { email, phone };
}

async function openLogin(page, extra = {}) {
  const query = new URLSearchParams({
    client_id: app.clientId,
    response_type: 'code',
    scope: 'openid email',
    redirect_uri: CALLBACK,
    state: unique('state'),
    ...extra,
  }).toString();
  await page.goto(`${server.endpoint}/oauth2/authorize?${query}`);
  await page.waitForSelector('#username');
}

// The username step, then the factor buttons (their values).
async function chooseUser(page, username) {
  assert.equal(await page.locator('#password').count(), 0, 'no password on the first page');
  await page.fill('#username', username);
  await page.click('button[name=next]');
  await page.waitForSelector('button[name=factor]');
  return page.locator('button[name=factor]').evaluateAll((bs) => bs.map((b) => b.value));
}

async function waitForCallback(page) {
  await page.waitForURL(`${CALLBACK}**`);
  const url = new URL(page.url());
  assert.ok(appVisits.includes(url.toString()), 'the app saw the callback');
  assert.ok(url.searchParams.get('code'), url.toString());
}

test('e-mail code: username, factor choice, a wrong code, then the right one', async () => {
  const { email } = await makeUser('ema');
  const page = await browser.newPage();
  await openLogin(page);
  await shot(page, GROUP, '01-username');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'username');
  const factors = await chooseUser(page, 'ema');
  assert.deepEqual(factors, ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP']);
  assert.equal(await page.evaluate(() => document.activeElement?.value), 'PASSWORD');
  await shot(page, GROUP, '02-factors');
  await page.click('button[value=EMAIL_OTP]');
  await page.waitForSelector('#code');
  await shot(page, GROUP, '03-email-code');
  const { code } = await server.waitForCode({
    poolId: app.poolId,
    destination: email,
    purpose: 'sign_in_code',
  });
  await page.fill('#code', code === '000000' ? '111111' : '000000');
  await page.click('button[type=submit]');
  await page.locator('[role=alert]').waitFor();
  await shot(page, GROUP, '04-wrong-code');
  await page.fill('#code', code);
  await page.click('button[type=submit]');
  await waitForCallback(page);
});

test('password: the password page after the choice', async () => {
  await makeUser('pia');
  const page = await browser.newPage();
  await openLogin(page);
  await chooseUser(page, 'pia');
  await page.click('button[value=PASSWORD]');
  await page.waitForSelector('#password');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'password');
  await shot(page, GROUP, '05-password');
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await waitForCallback(page);
});

test('SMS code, on the French pages', async () => {
  const { phone } = await makeUser('sol');
  const page = await browser.newPage();
  await openLogin(page, { lang: 'fr' });
  await chooseUser(page, 'sol');
  assert.match(await page.textContent('legend'), /Comment voulez-vous vous connecter/);
  await shot(page, GROUP, '06-factors-fr');
  await page.click('button[value=SMS_OTP]');
  await page.waitForSelector('#code');
  await shot(page, GROUP, '07-sms-code-fr');
  const { code } = await server.waitForCode({
    poolId: app.poolId,
    destination: phone,
    purpose: 'sign_in_code',
  });
  await page.fill('#code', code);
  await page.click('button[type=submit]');
  await waitForCallback(page);
});

test('an unknown user is offered the same choice', async () => {
  const page = await browser.newPage();
  await openLogin(page);
  const factors = await chooseUser(page, 'nobody-at-all');
  assert.deepEqual(factors, ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP']);
  await page.click('button[value=EMAIL_OTP]');
  await page.waitForSelector('#code');
  await shot(page, GROUP, '08-unknown-code');
  await page.fill('#code', '123456');
  await page.click('button[type=submit]');
  const alert = page.locator('[role=alert]');
  await alert.waitFor();
  assert.equal(
    (await alert.textContent()).trim(),
    'Invalid verification code provided, please try again.',
  );
});
