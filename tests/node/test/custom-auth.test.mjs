// amazon-cognito-identity-js with CUSTOM_AUTH against the real server: a passwordless magic-code
// sign-in built only from the three custom-auth triggers (tests/e2e/handlers/
// customauth_handlers.mjs, hosted in this process): initiateAuth -> customChallenge ->
// sendCustomChallengeAnswer (a wrong code, then the right one) -> tokens; and the library's
// authenticateUser with authenticationFlowType CUSTOM_AUTH, which starts with SRP_A and a
// PASSWORD_VERIFIER before the custom challenge. The trigger events are checked field by field.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import identity from 'amazon-cognito-identity-js';
import { jwtPayload, startServer, verifiedEmail } from '../lib/cognate.mjs';
import { startHandlers } from '../lib/triggers.mjs';

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = identity;

const CODE = '246810';
const PASSWORD = 'Passw0rd!';
let server;
let host;

before(async () => {
  server = await startServer();
  host = await startHandlers('../../e2e/handlers/customauth_handlers.mjs');
  host.setState({ code: CODE });
});

after(async () => {
  await host?.close();
  await server?.stop();
});

async function customPool() {
  const { poolId, clientId } = await server.createPoolAndClient({
    poolOverrides: {
      LambdaConfig: {
        DefineAuthChallenge: host.url('defineAuthChallenge'),
        CreateAuthChallenge: host.url('createAuthChallenge'),
        VerifyAuthChallengeResponse: host.url('verifyAuthChallengeResponse'),
      },
    },
    clientOverrides: {
      ExplicitAuthFlows: ['ALLOW_CUSTOM_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    },
  });
  const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: server.endpoint });
  return { poolId, clientId, pool };
}

async function createUser(poolId, email) {
  const user = await server.createConfirmedUser({
    poolId,
    username: email,
    password: PASSWORD,
    attributes: verifiedEmail(email),
  });
  const attrs = Object.fromEntries(user.Attributes.map((a) => [a.Name, a.Value]));
  return { sub: attrs.sub, username: user.Username };
}

// The library's callbacks as a promise of what happened next.
function callbacks(resolve, reject) {
  return {
    onSuccess: (session) => resolve({ kind: 'tokens', session }),
    onFailure: reject,
    customChallenge: (params) => resolve({ kind: 'custom', params }),
    newPasswordRequired: () => reject(new Error('unexpected newPasswordRequired')),
    mfaRequired: () => reject(new Error('unexpected mfaRequired')),
    totpRequired: () => reject(new Error('unexpected totpRequired')),
    mfaSetup: () => reject(new Error('unexpected mfaSetup')),
    selectMFAType: () => reject(new Error('unexpected selectMFAType')),
  };
}

function initiateAuth(user, username) {
  const details = new AuthenticationDetails({ Username: username });
  return new Promise((resolve, reject) => user.initiateAuth(details, callbacks(resolve, reject)));
}

function authenticateUser(user, username, password) {
  const details = new AuthenticationDetails({ Username: username, Password: password });
  return new Promise((resolve, reject) => user.authenticateUser(details, callbacks(resolve, reject)));
}

function answer(user, code) {
  return new Promise((resolve, reject) => user.sendCustomChallengeAnswer(code, callbacks(resolve, reject)));
}

function envelope(event, source, poolId, clientId, userName) {
  assert.equal(event.version, '1');
  assert.equal(event.triggerSource, source);
  assert.equal(event.region, 'us-east-1');
  assert.equal(event.userPoolId, poolId);
  assert.equal(event.userName, userName);
  assert.deepEqual(event.callerContext, { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId });
}

test('passwordless magic code: initiateAuth, a wrong answer, then the right one', async () => {
  host.clear();
  const { poolId, clientId, pool } = await customPool();
  const email = 'magic@example.com';
  const { sub, username } = await createUser(poolId, email);
  const userAttributes = {
    sub,
    email,
    email_verified: 'true',
    'cognito:user_status': 'CONFIRMED',
  };

  const user = new CognitoUser({ Username: email, Pool: pool });
  user.setAuthenticationFlowType('CUSTOM_AUTH');
  const first = await initiateAuth(user, email);
  assert.equal(first.kind, 'custom');
  assert.deepEqual(first.params, { USERNAME: username, email: 'm***@example.com', attempt: '1' });

  const second = await answer(user, '111111');
  assert.equal(second.kind, 'custom');
  assert.equal(second.params.attempt, '2');

  const done = await answer(user, CODE);
  assert.equal(done.kind, 'tokens');
  const id = jwtPayload(done.session.getIdToken().getJwtToken());
  assert.equal(id.sub, sub);
  assert.equal(id.email, email);
  assert.equal(jwtPayload(done.session.getAccessToken().getJwtToken()).client_id, clientId);
  assert.ok(done.session.getRefreshToken().getToken());

  const defines = host.events('defineAuthChallenge');
  const creates = host.events('createAuthChallenge');
  const verifies = host.events('verifyAuthChallengeResponse');
  assert.deepEqual([defines.length, creates.length, verifies.length], [3, 2, 2]);
  defines.forEach((e) => envelope(e, 'DefineAuthChallenge_Authentication', poolId, clientId, username));
  creates.forEach((e) => envelope(e, 'CreateAuthChallenge_Authentication', poolId, clientId, username));
  verifies.forEach((e) =>
    envelope(e, 'VerifyAuthChallengeResponse_Authentication', poolId, clientId, username),
  );
  assert.deepEqual(defines[0].request, { userAttributes, session: [], userNotFound: false });
  assert.deepEqual(defines[0].response, {});
  assert.deepEqual(creates[0].request, {
    userAttributes,
    challengeName: 'CUSTOM_CHALLENGE',
    session: [],
    userNotFound: false,
  });
  assert.deepEqual(verifies[0].request, {
    userAttributes,
    privateChallengeParameters: { code: CODE },
    challengeAnswer: '111111',
    userNotFound: false,
  });
  const wrong = { challengeName: 'CUSTOM_CHALLENGE', challengeResult: false, challengeMetadata: 'MAGIC_CODE-0' };
  const right = { challengeName: 'CUSTOM_CHALLENGE', challengeResult: true, challengeMetadata: 'MAGIC_CODE-1' };
  assert.deepEqual(defines[1].request.session, [wrong]);
  assert.deepEqual(creates[1].request.session, [wrong]);
  assert.equal(verifies[1].request.challengeAnswer, CODE);
  assert.deepEqual(defines[2].request.session, [wrong, right]);
});

test('authenticateUser with CUSTOM_AUTH: SRP_A, PASSWORD_VERIFIER, then the custom challenge', async () => {
  host.clear();
  const { poolId, pool } = await customPool();
  const email = 'srp.custom@example.com';
  const { sub } = await createUser(poolId, email);
  const user = new CognitoUser({ Username: email, Pool: pool });
  user.setAuthenticationFlowType('CUSTOM_AUTH');
  const first = await authenticateUser(user, email, PASSWORD);
  assert.equal(first.kind, 'custom');
  const done = await answer(user, CODE);
  assert.equal(done.kind, 'tokens');
  assert.equal(jwtPayload(done.session.getIdToken().getJwtToken()).sub, sub);
  const srpA = { challengeName: 'SRP_A', challengeResult: true, challengeMetadata: null };
  const verifier = { challengeName: 'PASSWORD_VERIFIER', challengeResult: true, challengeMetadata: null };
  assert.deepEqual(
    host.events('defineAuthChallenge').map((e) => e.request.session),
    [
      [srpA],
      [srpA, verifier],
      [srpA, verifier, { challengeName: 'CUSTOM_CHALLENGE', challengeResult: true, challengeMetadata: 'MAGIC_CODE-2' }],
    ],
  );

  // A wrong password is refused before any custom challenge.
  host.clear();
  const other = new CognitoUser({ Username: email, Pool: pool });
  other.setAuthenticationFlowType('CUSTOM_AUTH');
  await assert.rejects(authenticateUser(other, email, 'Wrong-pass-1'), {
    code: 'NotAuthorizedException',
    message: 'Incorrect username or password.',
  });
  assert.equal(host.events('createAuthChallenge').length, 0);
});
