// Amplify v6 signInWithRedirect / getCurrentUser / signOut against a pool's prefix domain served
// over TLS (Amplify only speaks https:// to the OAuth domain), in Chromium. The app page is served
// by a small http server on http://localhost (a secure context, so PKCE's crypto.subtle works);
// its script is lib/amplify-app.mjs bundled by esbuild at test time. The pool's domain is
// "{prefix}.auth.localhost:<port>", which Chromium resolves to loopback; the server's
// certificate is the test's self-signed one (Chromium told to ignore certificate errors).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import {
  CreateUserPoolClientCommand,
  CreateUserPoolDomainCommand,
  GetUserCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { launchBrowser, shot } from '../lib/browser.mjs';
import { jwtPayload, startServer, unique, verifiedEmail } from '../lib/cognate.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const GROUP = 'amplify-redirect';
const PASSWORD = 'Redirect-Passw0rd!';

let server;
let browser;
let app;
let bundle;

// Serves the app page (with the Amplify configuration inline) and the bundle.
function startApp(configFor) {
  return new Promise((resolve) => {
    const srv = http.createServer((req, res) => {
      const url = new URL(req.url, 'http://localhost');
      if (url.pathname === '/app.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        res.end(bundle);
        return;
      }
      if (url.pathname === '/' || url.pathname === '/signed-out') {
        const config = JSON.stringify(configFor()).replace(/</g, '\\u003c');
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html><html><head><title>App</title>
<script type="application/json" id="amplify-config">${config}</script>
<script type="module" src="/app.js"></script></head>
<body><h1>Amplify redirect test app</h1></body></html>`);
        return;
      }
      res.writeHead(404);
      res.end();
    });
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

before(async () => {
  server = await startServer({ tls: true });
  const built = await esbuild.build({
    entryPoints: [path.join(here, '..', 'lib', 'amplify-app.mjs')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    write: false,
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"', global: 'globalThis' },
  });
  bundle = built.outputFiles[0].text;
  browser = await launchBrowser({ ignoreHTTPSErrors: true });
});

after(async () => {
  await browser?.close();
  app?.close();
  await server?.stop();
});

test('signInWithRedirect, getCurrentUser and signOut through the hosted pages', async () => {
  const port = new URL(server.endpoint).port;
  let config;
  app = await startApp(() => config);
  const appUrl = `http://localhost:${app.address().port}/`;

  const { poolId } = await server.createPoolAndClient({ usernameAttributes: null });
  const client = await server.admin.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'amplify-web',
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
      CallbackURLs: [appUrl],
      LogoutURLs: [appUrl],
      SupportedIdentityProviders: ['COGNITO'],
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  const clientId = client.UserPoolClient.ClientId;
  const prefix = unique('amp');
  await server.admin.send(new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: prefix }));
  const domain = `${prefix}.auth.localhost:${port}`;
  const username = unique('ada');
  await server.createConfirmedUser({
    poolId,
    username,
    password: PASSWORD,
    attributes: verifiedEmail(`${username}@example.com`),
  });
  config = {
    Auth: {
      Cognito: {
        userPoolId: poolId,
        userPoolClientId: clientId,
        userPoolEndpoint: server.endpoint,
        loginWith: {
          oauth: {
            domain,
            scopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
            redirectSignIn: [appUrl],
            redirectSignOut: [appUrl],
            responseType: 'code',
          },
        },
      },
    },
  };

  const page = await browser.newPage();
  await page.goto(appUrl);
  await page.waitForFunction(() => window.appReady === true);
  assert.deepEqual(await page.evaluate(() => window.app.currentUser()), {
    error: 'UserUnAuthenticatedException',
  });

  // Amplify sends the browser to https://{domain}/oauth2/authorize, which shows the login page.
  await Promise.all([
    page.waitForURL((u) => u.hostname === `${prefix}.auth.localhost` && u.pathname === '/login'),
    page.evaluate(() => window.app.signInWithRedirect()),
  ]);
  await shot(page, GROUP, '01-login');
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', PASSWORD);
  await Promise.all([
    page.waitForURL((u) => u.origin === new URL(appUrl).origin),
    page.click('[type="submit"]'),
  ]);
  await page.waitForFunction(() => window.appReady === true);
  await page.waitForFunction(() => window.authEvents.includes('signInWithRedirect'), null, {
    timeout: 15000,
  });
  await shot(page, GROUP, '02-signed-in');

  const user = await page.evaluate(() => window.app.currentUser());
  assert.equal(user.username, username);
  const tokens = await page.evaluate(() => window.app.tokens());
  assert.ok(tokens.accessToken && tokens.idToken);
  const access = jwtPayload(tokens.accessToken);
  assert.equal(access.client_id, clientId);
  assert.match(access.scope, /aws\.cognito\.signin\.user\.admin/);
  assert.equal(jwtPayload(tokens.idToken).aud, clientId);
  // The access token works against the API (aws.cognito.signin.user.admin).
  const me = await server.sdkClient().send(new GetUserCommand({ AccessToken: tokens.accessToken }));
  assert.equal(me.Username, username);

  // signOut revokes the tokens and goes through /logout back to the app.
  await Promise.all([
    page.waitForURL((u) => u.origin === new URL(appUrl).origin, { timeout: 15000 }),
    page.evaluate(() => window.app.signOut()),
  ]);
  await page.waitForFunction(() => window.appReady === true);
  await shot(page, GROUP, '03-signed-out');
  assert.deepEqual(await page.evaluate(() => window.app.currentUser()), {
    error: 'UserUnAuthenticatedException',
  });
  await assert.rejects(
    server.sdkClient().send(new GetUserCommand({ AccessToken: tokens.accessToken })),
    (err) => err.name === 'NotAuthorizedException',
  );

  // The hosted session ended too: a new sign-in shows the login page again.
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/login'),
    page.evaluate(() => window.app.signInWithRedirect()),
  ]);
  await page.context().close();
});
