// A pre-token-generation hook adding claims that a backend verifying tokens with aws-jwt-verify
// then sees: the handlers of tests/e2e/handlers/pretoken_handlers.mjs, hosted in this process,
// named (as Lambda ARNs) by the pool's LambdaConfig (V1_0: ID token; V2_0: both tokens and scopes). The server runs
// with TLS because aws-jwt-verify fetches the JWKS over HTTPS only (see jwt-verify.test.mjs).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { validateCognitoJwtFields } from 'aws-jwt-verify/cognito-verifier';
import { SimpleFetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import {
  AdminAddUserToGroupCommand,
  CreateGroupCommand,
  GetUserCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startServer, unique, verifiedEmail } from '../lib/cognate.mjs';
import { startHandlers } from '../lib/triggers.mjs';

const PASSWORD = 'Pre-Token#123';
let server;
let host;
let jwksCache;

// Handlers are named by Lambda ARNs, which the server's --trigger flags resolve to the host.
const arn = (name) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

before(async () => {
  host = await startHandlers('../../e2e/handlers/pretoken_handlers.mjs');
  const args = [];
  for (const name of ['v1Claims', 'v2Claims', 'failing']) {
    args.push('--trigger', `${arn(name)}=${host.url(name)}`);
  }
  server = await startServer({ tls: true, args });
  jwksCache = new SimpleJwksCache({
    fetcher: new SimpleFetcher({ defaultRequestOptions: { ca: server.ca } }),
  });
});

after(async () => {
  await host?.close();
  await server?.stop();
});

// A pool whose LambdaConfig is `lambdaConfig`, one client, one user in group "staff".
async function poolWith(lambdaConfig) {
  const { poolId, clientId } = await server.createPoolAndClient({
    usernameAttributes: null,
    poolOverrides: { LambdaConfig: lambdaConfig },
  });
  const username = unique('pt');
  await server.createConfirmedUser({
    poolId,
    username,
    password: PASSWORD,
    attributes: verifiedEmail(`${username}@example.com`),
  });
  await server.admin.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'staff' }));
  await server.admin.send(
    new AdminAddUserToGroupCommand({ UserPoolId: poolId, Username: username, GroupName: 'staff' }),
  );
  const issuer = `${server.endpoint}/${poolId}`;
  return { poolId, clientId, username, issuer, jwksUri: `${issuer}/.well-known/jwks.json` };
}

async function signIn(pool, ClientMetadata) {
  const out = await server.sdkClient().send(
    new InitiateAuthCommand({
      ClientId: pool.clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: pool.username, PASSWORD },
      ...(ClientMetadata ? { ClientMetadata } : {}),
    }),
  );
  return out.AuthenticationResult;
}

function verifier(pool, tokenUse, extra = {}) {
  return JwtRsaVerifier.create(
    {
      issuer: pool.issuer,
      jwksUri: pool.jwksUri,
      audience: null,
      customJwtCheck: ({ payload }) =>
        validateCognitoJwtFields(payload, { tokenUse, clientId: pool.clientId, ...extra }),
    },
    { jwksCache },
  );
}

test('a V1_0 hook adds ID-token claims that aws-jwt-verify sees, on sign-in and refresh', async () => {
  const pool = await poolWith({ PreTokenGeneration: arn('v1Claims') });
  const tokens = await signIn(pool, { app: 'node' });

  const id = await verifier(pool, 'id', { groups: 'from-trigger' }).verify(tokens.IdToken);
  assert.equal(id.tenant, 'acme');
  assert.equal(id.source, 'TokenGeneration_Authentication');
  assert.equal(id.meta, 'node');
  assert.equal(id.email, 'overridden@example.com');
  assert.deepEqual(id['cognito:groups'], ['staff', 'from-trigger']);
  assert.equal(id['cognito:preferred_role'], 'arn:aws:iam::123456789012:role/trigger');
  assert.equal(id['cognito:username'], pool.username);

  const access = await verifier(pool, 'access', { groups: 'staff' }).verify(tokens.AccessToken);
  assert.equal(access.tenant, undefined, 'V1_0 leaves the access token alone');
  assert.deepEqual(access['cognito:groups'], ['staff']);

  const events = host.events('v1Claims').filter((e) => e.userPoolId === pool.poolId);
  assert.equal(events.length, 1);
  const [e] = events;
  assert.equal(e.version, '1');
  assert.equal(e.triggerSource, 'TokenGeneration_Authentication');
  assert.equal(e.userName, pool.username);
  assert.deepEqual(e.callerContext, { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: pool.clientId });
  assert.equal(e.request.userAttributes.email, `${pool.username}@example.com`);
  assert.equal(e.request.userAttributes['cognito:user_status'], 'CONFIRMED');
  assert.deepEqual(e.request.groupConfiguration, {
    groupsToOverride: ['staff'],
    iamRolesToOverride: [],
    preferredRole: null,
  });
  assert.deepEqual(e.request.clientMetadata, { app: 'node' });
  assert.deepEqual(e.response, { claimsOverrideDetails: null });

  const refreshed = await server.sdkClient().send(
    new InitiateAuthCommand({
      ClientId: pool.clientId,
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: tokens.RefreshToken },
    }),
  );
  const again = await verifier(pool, 'id').verify(refreshed.AuthenticationResult.IdToken);
  assert.equal(again.source, 'TokenGeneration_RefreshTokens');
  assert.equal(again.tenant, 'acme');
});

test('a V2_0 hook adds access-token claims and scopes that aws-jwt-verify sees', async () => {
  const pool = await poolWith({
    PreTokenGenerationConfig: { LambdaArn: arn('v2Claims'), LambdaVersion: 'V2_0' },
  });
  const tokens = await signIn(pool);
  const access = await verifier(pool, 'access', { groups: 'v2-group' }).verify(tokens.AccessToken);
  assert.equal(access.tenant, 'acme');
  assert.deepEqual(access.roles, ['reader', 'writer']);
  assert.equal(access.beta, true);
  assert.equal(access.version, '2');
  assert.equal(access.scope, 'aws.cognito.signin.user.admin photos/read photos/write');
  // aws-jwt-verify's scope check sees the added scope.
  const scoped = JwtRsaVerifier.create(
    { issuer: pool.issuer, jwksUri: pool.jwksUri, audience: null, scope: 'photos/write' },
    { jwksCache },
  );
  await scoped.verify(tokens.AccessToken);

  const id = await verifier(pool, 'id').verify(tokens.IdToken);
  assert.deepEqual(id.plan, { tier: 'gold', seats: 5 });
  assert.equal(id.email, undefined);

  // The token still works for the user's own API calls.
  const me = await server.sdkClient().send(new GetUserCommand({ AccessToken: tokens.AccessToken }));
  assert.equal(me.Username, pool.username);

  const events = host.events('v2Claims').filter((e) => e.userPoolId === pool.poolId);
  assert.equal(events.length, 1);
  assert.equal(events[0].version, '2');
  assert.deepEqual(events[0].request.scopes, ['aws.cognito.signin.user.admin']);
  assert.deepEqual(events[0].response, { claimsAndScopeOverrideDetails: null });
});

test('a failing hook fails the sign-in with Cognito\'s error', async () => {
  const pool = await poolWith({ PreTokenGeneration: arn('failing') });
  await assert.rejects(signIn(pool), (err) => {
    assert.equal(err.name, 'UserLambdaValidationException');
    assert.equal(err.message, 'PreTokenGeneration failed with error no tokens for you.');
    return true;
  });
});
