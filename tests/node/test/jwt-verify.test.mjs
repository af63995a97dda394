// A backend verifying Cognate's tokens with aws-jwt-verify, as it verifies Cognito's.
//
// CognitoJwtVerifier derives the issuer from the pool id and AWS's domain
// (https://cognito-idp.<region>.amazonaws.com/<poolId>), so it cannot take a self-hosted issuer.
// The documented way for any other issuer is JwtRsaVerifier with `issuer` and `jwksUri`; the
// Cognito-specific checks (token_use, client_id, cognito:groups) are added back through
// `customJwtCheck` with the library's own validateCognitoJwtFields. aws-jwt-verify fetches the
// JWKS over HTTPS only (node's https module), so this file runs the server with TLS and a
// self-signed certificate that the fetcher trusts.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import https from 'node:https';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import {
  CognitoJwtInvalidClientIdError,
  CognitoJwtInvalidGroupError,
  CognitoJwtInvalidTokenUseError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureAlgorithmError,
  JwtInvalidSignatureError,
  KidNotFoundInJwksError,
} from 'aws-jwt-verify/error';
import { SimpleFetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import {
  AdminAddUserToGroupCommand,
  CreateGroupCommand,
  GetUserCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { jwtHeader, jwtPayload, startServer, unique, verifiedEmail } from '../lib/cognate.mjs';

let server;
let jwksCache;
let a; // { poolId, clientId, issuer, jwksUri, username, tokens }
let b;

// GET over HTTPS trusting the server's self-signed certificate; resolves { status, headers, json }.
function getJson(url, ca = server.ca) {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode, headers: res.headers, json: JSON.parse(body) });
          } catch (err) {
            reject(new Error(`${url}: ${res.statusCode} ${body}`));
          }
        });
      })
      .on('error', reject);
  });
}

// Signs `username` in with USER_PASSWORD_AUTH on `srv`; returns { id, access }.
async function signInTokens(srv, clientId, username, password) {
  const auth = await srv.sdkClient().send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
    }),
  );
  const r = auth.AuthenticationResult;
  assert.ok(r?.IdToken && r?.AccessToken, 'USER_PASSWORD_AUTH returned tokens');
  return { id: r.IdToken, access: r.AccessToken };
}

// A pool with one client and one user in group "admins", signed in with USER_PASSWORD_AUTH.
async function poolWithTokens(server) {
  const { poolId, clientId } = await server.createPoolAndClient({ usernameAttributes: null });
  const username = unique('jwt');
  const password = 'Verify-Me#123';
  await server.createConfirmedUser({
    poolId,
    username,
    password,
    attributes: verifiedEmail(`${username}@example.com`),
  });
  await server.admin.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'admins' }));
  await server.admin.send(
    new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: username, GroupName: 'admins' }),
  );
  const tokens = await signInTokens(server, clientId, username, password);
  const issuer = `${server.endpoint}/${poolId}`;
  return {
    poolId,
    clientId,
    username,
    issuer,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    password,
    tokens,
  };
}

// An aws-jwt-verify verifier for one pool's access or ID tokens, with the Cognito field checks.
function verifierFor(pool, tokenUse, { clientId = pool.clientId, groups, jwksUri = pool.jwksUri } = {}) {
  return JwtRsaVerifier.create(
    {
      issuer: pool.issuer,
      jwksUri,
      // Access tokens carry client_id rather than aud; validateCognitoJwtFields checks both.
      audience: null,
      customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { tokenUse, clientId, groups }),
    },
    { jwksCache },
  );
}

before(async () => {
  server = await startServer({ tls: true });
  jwksCache = new SimpleJwksCache({
    fetcher: new SimpleFetcher({ defaultRequestOptions: { ca: server.ca } }),
  });
  a = await poolWithTokens(server);
  b = await poolWithTokens(server);
});

after(async () => {
  await server?.stop();
});

test('OIDC discovery and JWKS describe the issuer and its RS256 keys', async () => {
  const disco = await getJson(`${a.issuer}/.well-known/openid-configuration`);
  assert.equal(disco.status, 200);
  assert.equal(disco.json.issuer, a.issuer);
  assert.equal(disco.json.jwks_uri, a.jwksUri);
  assert.ok(disco.json.id_token_signing_alg_values_supported.includes('RS256'));

  const jwks = await getJson(a.jwksUri);
  assert.equal(jwks.status, 200);
  assert.match(jwks.headers['content-type'], /^application\/json/);
  assert.ok(Array.isArray(jwks.json.keys) && jwks.json.keys.length >= 1);
  for (const key of jwks.json.keys) {
    assert.equal(key.kty, 'RSA');
    assert.equal(key.alg, 'RS256');
    assert.equal(key.use, 'sig');
    assert.equal(key.e, 'AQAB');
    assert.ok(key.kid);
    assert.ok(Buffer.from(key.n, 'base64url').length >= 256, 'at least a 2048-bit modulus');
    assert.equal(key.d, undefined, 'no private part');
  }
  const kids = jwks.json.keys.map((k) => k.kid);
  assert.ok(kids.includes(jwtHeader(a.tokens.id).kid));
  assert.ok(kids.includes(jwtHeader(a.tokens.access).kid));

  // Each pool has its own keys.
  const other = await getJson(b.jwksUri);
  const otherKids = other.json.keys.map((k) => k.kid);
  assert.ok(!kids.some((k) => otherKids.includes(k)), 'pools share no key');

  // An unknown pool has no JWKS.
  const missing = await new Promise((resolve, reject) =>
    https.get(`${server.endpoint}/us-east-1_NoSuchPool/.well-known/jwks.json`, { ca: server.ca }, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on('error', reject),
  );
  assert.equal(missing, 404);
});

test('the access token and the ID token verify with their pool issuer and JWKS', async () => {
  const access = await verifierFor(a, 'access').verify(a.tokens.access);
  assert.equal(access.token_use, 'access');
  assert.equal(access.client_id, a.clientId);
  assert.equal(access.username, a.username);
  assert.equal(access.iss, a.issuer);
  assert.deepEqual(access['cognito:groups'], ['admins']);
  assert.equal(access.scope, 'aws.cognito.signin.user.admin');
  for (const claim of ['sub', 'jti', 'origin_jti', 'event_id', 'auth_time', 'iat', 'exp']) {
    assert.ok(access[claim] !== undefined, `access token has ${claim}`);
  }
  assert.equal(access.exp - access.iat, 3600, 'default access token validity: one hour');

  const id = await verifierFor(a, 'id').verify(a.tokens.id);
  assert.equal(id.token_use, 'id');
  assert.equal(id.aud, a.clientId);
  assert.equal(id['cognito:username'], a.username);
  assert.equal(id.email, `${a.username}@example.com`);
  assert.equal(id.email_verified, true);
  assert.equal(id.sub, access.sub);
  assert.deepEqual(id['cognito:groups'], ['admins']);

  // The plain audience check of JwtRsaVerifier works for ID tokens too.
  const plain = JwtRsaVerifier.create({ issuer: a.issuer, jwksUri: a.jwksUri, audience: a.clientId }, { jwksCache });
  assert.equal((await plain.verify(a.tokens.id)).sub, id.sub);

  // Group and scope requirements.
  await verifierFor(a, 'access', { groups: 'admins' }).verify(a.tokens.access);
  await assert.rejects(verifierFor(a, 'access', { groups: 'auditors' }).verify(a.tokens.access), CognitoJwtInvalidGroupError);
  const scoped = JwtRsaVerifier.create(
    { issuer: a.issuer, jwksUri: a.jwksUri, audience: null, scope: 'aws.cognito.signin.user.admin' },
    { jwksCache },
  );
  await scoped.verify(a.tokens.access);

  // One verifier for two pools (multi-issuer), as a backend serving both would configure it.
  const both = JwtRsaVerifier.create(
    [a, b].map((p) => ({
      issuer: p.issuer,
      jwksUri: p.jwksUri,
      audience: null,
      customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { tokenUse: 'access', clientId: p.clientId }),
    })),
    { jwksCache },
  );
  assert.equal((await both.verify(a.tokens.access)).username, a.username);
  assert.equal((await both.verify(b.tokens.access)).username, b.username);
});

test('wrong token use, client, audience or pool is refused', async () => {
  // An ID token is not an access token, and the other way round.
  await assert.rejects(verifierFor(a, 'access').verify(a.tokens.id), CognitoJwtInvalidTokenUseError);
  await assert.rejects(verifierFor(a, 'id').verify(a.tokens.access), CognitoJwtInvalidTokenUseError);
  const plain = JwtRsaVerifier.create({ issuer: a.issuer, jwksUri: a.jwksUri, audience: a.clientId }, { jwksCache });
  await assert.rejects(plain.verify(a.tokens.access), JwtInvalidAudienceError, 'an access token has no aud');

  // Another app client of the same pool.
  await assert.rejects(verifierFor(a, 'access', { clientId: 'someotherclient' }).verify(a.tokens.access), CognitoJwtInvalidClientIdError);
  const wrongAud = JwtRsaVerifier.create({ issuer: a.issuer, jwksUri: a.jwksUri, audience: 'someotherclient' }, { jwksCache });
  await assert.rejects(wrongAud.verify(a.tokens.id), JwtInvalidAudienceError);

  // A token of another pool: this pool's JWKS does not know its kid (pools do not share keys);
  // and with that pool's keys but this pool's issuer, the issuer is wrong. (A fresh cache each
  // time: after an unknown kid the library's penalty box refuses to refetch for a while.)
  const ofA = (tokenUse, jwksUri) =>
    JwtRsaVerifier.create(
      {
        issuer: a.issuer,
        jwksUri,
        audience: null,
        customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { tokenUse, clientId: a.clientId }),
      },
      {
        jwksCache: new SimpleJwksCache({
          fetcher: new SimpleFetcher({ defaultRequestOptions: { ca: server.ca } }),
        }),
      },
    );
  await assert.rejects(ofA('access', a.jwksUri).verify(b.tokens.access), KidNotFoundInJwksError);
  await assert.rejects(ofA('id', a.jwksUri).verify(b.tokens.id), KidNotFoundInJwksError);
  await assert.rejects(ofA('access', b.jwksUri).verify(b.tokens.access), JwtInvalidIssuerError);
  await assert.rejects(ofA('id', b.jwksUri).verify(b.tokens.id), JwtInvalidIssuerError);
});

test('forged tokens are refused: tampered payload, alg none, HS256 with the public key', async () => {
  const verifier = verifierFor(a, 'access');
  const [h, p, s] = a.tokens.access.split('.');

  // Tampered payload (another username), original signature.
  const claims = jwtPayload(a.tokens.access);
  const forged = Buffer.from(JSON.stringify({ ...claims, username: 'root' })).toString('base64url');
  await assert.rejects(verifier.verify(`${h}.${forged}.${s}`), JwtInvalidSignatureError);

  // alg: none, no signature.
  const none = Buffer.from(JSON.stringify({ alg: 'none', kid: jwtHeader(a.tokens.access).kid })).toString('base64url');
  await assert.rejects(verifier.verify(`${none}.${p}.`));

  // HS256 keyed with the public key (the classic RS/HS confusion).
  const jwks = (await getJson(a.jwksUri)).json;
  const kid = jwtHeader(a.tokens.access).kid;
  const jwk = jwks.keys.find((k) => k.kid === kid);
  const pem = crypto.createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
  const hsHeader = Buffer.from(JSON.stringify({ alg: 'HS256', kid, typ: 'JWT' })).toString('base64url');
  const hsSig = crypto.createHmac('sha256', pem).update(`${hsHeader}.${p}`).digest('base64url');
  await assert.rejects(verifier.verify(`${hsHeader}.${p}.${hsSig}`), JwtInvalidSignatureAlgorithmError);

  // A token signed by a key that is not the pool's, with the pool's kid.
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsHeader = Buffer.from(JSON.stringify({ alg: 'RS256', kid, typ: 'JWT' })).toString('base64url');
  const rsSig = crypto.sign('sha256', Buffer.from(`${rsHeader}.${p}`), privateKey).toString('base64url');
  await assert.rejects(verifier.verify(`${rsHeader}.${p}.${rsSig}`), JwtInvalidSignatureError);

  // The genuine token still verifies.
  await verifier.verify(a.tokens.access);
});

test('key rotation: new tokens carry the new kid, old ones still verify, the verifier refetches', async () => {
  // A server of its own, restarted around `cognate keys rotate` on the same port (same issuer).
  const srv = await startServer({ tls: true });
  try {
    const p = await poolWithTokens(srv);
    const oldKid = jwtHeader(p.tokens.access).kid;
    const cache = new SimpleJwksCache({
      fetcher: new SimpleFetcher({ defaultRequestOptions: { ca: srv.ca } }),
    });
    const verifier = JwtRsaVerifier.create(
      {
        issuer: p.issuer,
        jwksUri: p.jwksUri,
        audience: null,
        customJwtCheck: ({ payload }) => validateCognitoJwtFields(payload, { tokenUse: 'access', clientId: p.clientId }),
      },
      { jwksCache: cache },
    );
    await verifier.verify(p.tokens.access); // caches the JWKS holding only the first key

    let newKid;
    await srv.restart(async () => {
      newKid = srv.keys('rotate', '--pool', p.poolId).trim();
    });
    assert.ok(newKid && newKid !== oldKid, `rotate printed a new kid (${newKid})`);

    const fresh = await signInTokens(srv, p.clientId, p.username, p.password);
    assert.equal(jwtHeader(fresh.access).kid, newKid, 'new tokens are signed with the new key');
    assert.equal(jwtHeader(fresh.id).kid, newKid);
    const jwks = (await getJson(p.jwksUri, srv.ca)).json.keys.map((k) => k.kid);
    assert.ok(jwks.includes(newKid) && jwks.includes(oldKid), `JWKS lists both keys: ${jwks}`);

    // The verifier meets an unknown kid, refetches the JWKS and verifies; the old token still
    // verifies with the retired key.
    assert.equal((await verifier.verify(fresh.access)).username, p.username);
    assert.equal((await verifier.verify(p.tokens.access)).username, p.username);
    // The server itself still accepts the token signed before the rotation.
    const me = await srv.sdkClient().send(new GetUserCommand({ AccessToken: p.tokens.access }));
    assert.equal(me.Username, p.username);
  } finally {
    await srv.stop();
  }
});
