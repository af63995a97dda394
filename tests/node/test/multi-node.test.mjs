// Two nodes on one store (same data dir, master key and database) behind one public URL, the way
// a load-balanced deployment runs: tokens issued by one node work on the other, and a sign-out on
// one node is seen by the other at once. amazon-cognito-identity-js talks to node A, the JS SDK to
// node B.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import identity from 'amazon-cognito-identity-js';
import {
  GetUserCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { jwtPayload, startServer, unique } from '../lib/cognate.mjs';

const { AuthenticationDetails, CognitoUser, CognitoUserAttribute, CognitoUserPool } = identity;
const PUBLIC_URL = 'http://cognito.cognate.test';

let nodeA;
let nodeB;

before(async () => {
  nodeA = await startServer({ args: ['--public-url', PUBLIC_URL] });
  nodeB = await startServer({ args: ['--public-url', PUBLIC_URL], shareStoreOf: nodeA });
});

after(async () => {
  await nodeB?.stop();
  await nodeA?.stop();
});

function call(fn) {
  return new Promise((resolve, reject) => fn((err, result) => (err ? reject(err) : resolve(result))));
}

// A confirmed user signed in with SRP on node A; returns { clientId, user, session, username }.
async function signedInOnA() {
  const { poolId, clientId } = await nodeA.createPoolAndClient();
  const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: nodeA.endpoint });
  const email = `${unique('multi')}@example.com`;
  const password = 'Two-Nodes#2024';
  const signed = await call((cb) =>
    pool.signUp(email, password, [new CognitoUserAttribute({ Name: 'email', Value: email })], null, cb),
  );
  const { code } = await nodeA.waitForCode({ poolId, destination: email });
  const user = new CognitoUser({ Username: email, Pool: pool });
  await call((cb) => user.confirmRegistration(code, true, cb));
  const session = await new Promise((resolve, reject) =>
    user.authenticateUser(new AuthenticationDetails({ Username: email, Password: password }), {
      onSuccess: resolve,
      onFailure: reject,
    }),
  );
  assert.equal(jwtPayload(session.getAccessToken().getJwtToken()).iss, `${PUBLIC_URL}/${poolId}`);
  return { clientId, user, session, username: signed.userSub };
}

test('globalSignOut on node A: node B refuses the access and refresh tokens at once', async () => {
  const { clientId, user, session, username } = await signedInOnA();
  const access = session.getAccessToken().getJwtToken();
  const refresh = session.getRefreshToken().getToken();
  const b = nodeB.sdkClient();

  // Node B accepts what node A issued.
  assert.equal((await b.send(new GetUserCommand({ AccessToken: access }))).Username, username);
  const refreshed = await b.send(
    new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refresh } }),
  );
  assert.ok(refreshed.AuthenticationResult.AccessToken);

  await new Promise((resolve, reject) => user.globalSignOut({ onSuccess: resolve, onFailure: reject }));
  for (const token of [access, refreshed.AuthenticationResult.AccessToken]) {
    await assert.rejects(b.send(new GetUserCommand({ AccessToken: token })), (err) => {
      assert.equal(err.name, 'NotAuthorizedException');
      assert.equal(err.message, 'Access Token has been revoked');
      return true;
    });
  }
  await assert.rejects(
    b.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refresh } })),
    (err) => err.name === 'NotAuthorizedException',
  );
});

test('RevokeToken on node B: node A refuses the refresh token and its access tokens', async () => {
  const { clientId, session } = await signedInOnA();
  const access = session.getAccessToken().getJwtToken();
  const refresh = session.getRefreshToken().getToken();
  await nodeB.sdkClient().send(new RevokeTokenCommand({ ClientId: clientId, Token: refresh }));
  const a = nodeA.sdkClient();
  await assert.rejects(a.send(new GetUserCommand({ AccessToken: access })), (err) => {
    assert.equal(err.name, 'NotAuthorizedException');
    assert.equal(err.message, 'Access Token has been revoked');
    return true;
  });
  await assert.rejects(
    a.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refresh } })),
    (err) => err.name === 'NotAuthorizedException',
  );
});
