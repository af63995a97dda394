// A relying party built with openid-client v6 against Cognate's authorization server: discovery,
// the authorization-code flow with PKCE (the browser step, signing in on the hosted login page,
// done by Chromium through playwright-core), userinfo, refresh and revocation; and a machine
// client getting a client_credentials token with custom scopes that aws-jwt-verify checks.
//
// The server runs plain HTTP on 127.0.0.1, so openid-client is told to allow that
// (allowInsecureRequests); aws-jwt-verify is given the JWKS directly (cacheJwks) since it fetches
// only over HTTPS. The callback URL is never served: the browser's request to it is intercepted
// and its URL handed to openid-client, as a real app's callback route would.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import {
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { launchBrowser, shot } from '../lib/browser.mjs';
import { jwtPayload, startServer, unique, verifiedEmail } from '../lib/cognate.mjs';

const CALLBACK = 'https://app.example.com/callback';
const LOGOUT = 'https://app.example.com/signed-out';
const RS = 'https://orders.example.com';
const PASSWORD = 'Oidc-Relying#Party1';

let server;
let browser;
let s; // { poolId, issuer, webId, m2mId, m2mSecret, username }
let hostedLogin = false; // whether this build serves the hosted login page

const insecure = { execute: [client.allowInsecureRequests] };

before(async () => {
  server = await startServer();
  const { poolId } = await server.createPoolAndClient({ usernameAttributes: null });
  await server.admin.send(
    new CreateResourceServerCommand({
      UserPoolId: poolId,
      Identifier: RS,
      Name: 'orders',
      Scopes: [
        { ScopeName: 'read', ScopeDescription: 'read orders' },
        { ScopeName: 'write', ScopeDescription: 'write orders' },
      ],
    }),
  );
  const web = await server.admin.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'rp',
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: [CALLBACK],
      LogoutURLs: [LOGOUT],
      SupportedIdentityProviders: ['COGNITO'],
    }),
  );
  const m2m = await server.admin.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'worker',
      GenerateSecret: true,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: [`${RS}/read`, `${RS}/write`],
    }),
  );
  const username = unique('rp');
  await server.createConfirmedUser({
    poolId,
    username,
    password: PASSWORD,
    attributes: verifiedEmail(`${username}@example.com`),
  });
  s = {
    poolId,
    issuer: `${server.endpoint}/${poolId}`,
    webId: web.UserPoolClient.ClientId,
    m2mId: m2m.UserPoolClient.ClientId,
    m2mSecret: m2m.UserPoolClient.ClientSecret,
    username,
  };
  browser = await launchBrowser();
  hostedLogin = (await fetch(`${server.endpoint}/login`, { redirect: 'manual' })).status !== 404;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

// Opens `url` in a fresh browser page, signs in on the hosted login page when it shows, and
// resolves with the callback URL the browser was sent to.
async function browserSignIn(url, name) {
  const page = await browser.newPage();
  let callback;
  const reached = new Promise((resolve) => {
    page.route(`${new URL(CALLBACK).origin}/**`, (route) => {
      callback = route.request().url();
      route.fulfill({ status: 200, contentType: 'text/html', body: '<p>signed in</p>' });
      resolve();
    });
  });
  await page.goto(url);
  if (!callback) {
    await page.waitForSelector('input[name="username"]');
    await shot(page, 'oidc-rp', `${name}-login`);
    await page.fill('input[name="username"]', s.username);
    await page.fill('input[name="password"]', PASSWORD);
    await Promise.all([reached, page.click('button[name="signInSubmitButton"]')]);
  }
  await reached;
  await page.context().close();
  return new URL(callback);
}

test('discovery, authorization code with PKCE, userinfo, refresh and revocation', async (t) => {
  if (!hostedLogin) return t.skip('no hosted login page in this build');
  const config = await client.discovery(new URL(s.issuer), s.webId, undefined, client.None(), insecure);
  const meta = config.serverMetadata();
  assert.equal(meta.issuer, s.issuer);
  assert.equal(meta.authorization_endpoint, `${server.endpoint}/oauth2/authorize`);
  assert.ok(meta.code_challenge_methods_supported.includes('S256'));
  client.allowInsecureRequests(config);

  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'openid email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const callback = await browserSignIn(url.href, 'code');
  assert.equal(callback.searchParams.get('state'), state);

  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  const idClaims = tokens.claims();
  assert.equal(idClaims.iss, s.issuer);
  assert.equal(idClaims.aud, s.webId);
  assert.equal(idClaims.nonce, nonce);
  assert.equal(idClaims['cognito:username'], s.username);
  assert.ok(tokens.refresh_token);
  assert.equal(jwtPayload(tokens.access_token).scope, 'openid email');

  const info = await client.fetchUserInfo(config, tokens.access_token, idClaims.sub);
  assert.equal(info.sub, idClaims.sub);
  assert.equal(info.email, `${s.username}@example.com`);
  assert.equal(info.username, s.username);

  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  assert.ok(refreshed.access_token && refreshed.id_token);
  assert.equal(jwtPayload(refreshed.access_token).scope, 'openid email');
  assert.equal(refreshed.claims().sub, idClaims.sub);

  // A second authorization goes straight through: the hosted session is still live.
  await client.tokenRevocation(config, tokens.refresh_token);
  await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token), (err) => {
    assert.equal(err.error, 'invalid_grant');
    return true;
  });
});

test('a wrong PKCE verifier is refused', async (t) => {
  if (!hostedLogin) return t.skip('no hosted login page in this build');
  const config = await client.discovery(new URL(s.issuer), s.webId, undefined, client.None(), insecure);
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    state,
  });
  const callback = await browserSignIn(url.href, 'pkce');
  await assert.rejects(
    client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: client.randomPKCECodeVerifier(),
      expectedState: state,
    }),
    (err) => {
      assert.equal(err.error, 'invalid_grant');
      return true;
    },
  );
});

test('client_credentials with custom scopes, checked by aws-jwt-verify', async () => {
  const config = await client.discovery(new URL(s.issuer), s.m2mId, s.m2mSecret, undefined, insecure);
  const tokens = await client.clientCredentialsGrant(config, { scope: `${RS}/read` });
  assert.equal(tokens.token_type.toLowerCase(), 'bearer');
  assert.equal(tokens.id_token, undefined);
  assert.equal(tokens.refresh_token, undefined);

  const jwks = await (await fetch(`${s.issuer}/.well-known/jwks.json`)).json();
  const verifier = JwtRsaVerifier.create({
    issuer: s.issuer,
    jwksUri: `${s.issuer}/.well-known/jwks.json`,
    audience: null,
    scope: [`${RS}/read`],
    customJwtCheck: ({ payload }) => {
      if (payload.token_use !== 'access' || payload.client_id !== s.m2mId) {
        throw new Error('not an access token of the worker client');
      }
    },
  });
  verifier.cacheJwks(jwks);
  const payload = await verifier.verify(tokens.access_token);
  assert.equal(payload.sub, s.m2mId);
  assert.equal(payload.scope, `${RS}/read`);

  // A verifier that wants the write scope refuses this token.
  const writer = JwtRsaVerifier.create({
    issuer: s.issuer,
    jwksUri: `${s.issuer}/.well-known/jwks.json`,
    audience: null,
    scope: [`${RS}/write`],
  });
  writer.cacheJwks(jwks);
  await assert.rejects(writer.verify(tokens.access_token));

  // Scopes the client was not given.
  await assert.rejects(client.clientCredentialsGrant(config, { scope: `${RS}/admin` }), (err) => {
    assert.equal(err.error, 'invalid_scope');
    return true;
  });
});
