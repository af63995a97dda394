// amazon-cognito-identity-js (the client inside Amplify v5 and many apps) against the real server,
// with only `endpoint` changed: sign-up, confirmation with the code the server wrote to its outbox,
// SRP sign-in, session refresh, attributes, global sign-out.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import identity from 'amazon-cognito-identity-js';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  GetUserCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { jwtPayload, startServer, unique } from '../lib/cognate.mjs';

const {
  AuthenticationDetails,
  CognitoRefreshToken,
  CognitoUser,
  CognitoUserAttribute,
  CognitoUserPool,
} = identity;

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

// The library's callback APIs as promises. Rejections carry the library's error object
// ({ code, name, message }).
function signUp(pool, username, password, attributes) {
  return new Promise((resolve, reject) =>
    pool.signUp(username, password, attributes, null, (err, result) =>
      err ? reject(err) : resolve(result),
    ),
  );
}

function confirmRegistration(user, code) {
  return new Promise((resolve, reject) =>
    user.confirmRegistration(code, true, (err, result) => (err ? reject(err) : resolve(result))),
  );
}

function authenticate(user, username, password) {
  const details = new AuthenticationDetails({ Username: username, Password: password });
  return new Promise((resolve, reject) =>
    user.authenticateUser(details, {
      onSuccess: resolve,
      onFailure: reject,
      newPasswordRequired: () => reject(new Error('unexpected newPasswordRequired')),
      mfaRequired: () => reject(new Error('unexpected mfaRequired')),
      totpRequired: () => reject(new Error('unexpected totpRequired')),
      customChallenge: () => reject(new Error('unexpected customChallenge')),
      mfaSetup: () => reject(new Error('unexpected mfaSetup')),
      selectMFAType: () => reject(new Error('unexpected selectMFAType')),
    }),
  );
}

function getSession(user) {
  return new Promise((resolve, reject) =>
    user.getSession((err, session) => (err ? reject(err) : resolve(session))),
  );
}

function refreshSession(user, refreshToken) {
  return new Promise((resolve, reject) =>
    user.refreshSession(refreshToken, (err, session) => (err ? reject(err) : resolve(session))),
  );
}

function getUserAttributes(user) {
  return new Promise((resolve, reject) =>
    user.getUserAttributes((err, attrs) => (err ? reject(err) : resolve(attrs))),
  );
}

function updateAttributes(user, attributes) {
  return new Promise((resolve, reject) =>
    user.updateAttributes(attributes, (err, result) => (err ? reject(err) : resolve(result))),
  );
}

function globalSignOut(user) {
  return new Promise((resolve, reject) =>
    user.globalSignOut({ onSuccess: resolve, onFailure: reject }),
  );
}

function attributeMap(list) {
  return Object.fromEntries(list.map((a) => [a.getName(), a.getValue()]));
}

test('signUp, confirmRegistration, SRP sign-in, refresh, attributes, globalSignOut', async () => {
  const { poolId, clientId } = await server.createPoolAndClient();
  const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: server.endpoint });
  const email = `${unique('ada')}@example.com`;
  const password = 'Corr3ct-Horse!battery';

  // signUp: the pool signs in with e-mail, so the username the app passes is the address and
  // the server assigns its own (a UUID, the user's sub).
  const signed = await signUp(pool, email, password, [
    new CognitoUserAttribute({ Name: 'email', Value: email }),
    new CognitoUserAttribute({ Name: 'name', Value: 'Ada Lovelace' }),
  ]);
  assert.equal(signed.userConfirmed, false);
  assert.match(signed.userSub, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(signed.codeDeliveryDetails.DeliveryMedium, 'EMAIL');
  assert.equal(signed.codeDeliveryDetails.AttributeName, 'email');
  assert.notEqual(signed.codeDeliveryDetails.Destination, email, "the destination is masked");
  assert.match(signed.codeDeliveryDetails.Destination, /\*/);

  // Signing in before confirming is refused with Cognito's error.
  const early = new CognitoUser({ Username: email, Pool: pool });
  await assert.rejects(authenticate(early, email, password), (err) => {
    assert.equal(err.code, 'UserNotConfirmedException');
    assert.equal(err.message, 'User is not confirmed.');
    return true;
  });

  // A wrong code first, then the code from the outbox.
  const { code } = await server.waitForCode({ poolId, destination: email });
  const user = new CognitoUser({ Username: email, Pool: pool });
  const wrong = code === '000000' ? '111111' : '000000';
  await assert.rejects(confirmRegistration(user, wrong), (err) => {
    assert.equal(err.code, 'CodeMismatchException');
    assert.equal(err.message, 'Invalid verification code provided, please try again.');
    return true;
  });
  assert.equal(await confirmRegistration(user, code), 'SUCCESS');

  // A wrong password through SRP is refused as Cognito refuses it.
  await assert.rejects(authenticate(new CognitoUser({ Username: email, Pool: pool }), email, 'Wr0ng-password!'), (err) => {
    assert.equal(err.code, 'NotAuthorizedException');
    assert.equal(err.message, 'Incorrect username or password.');
    return true;
  });

  // SRP sign-in (USER_SRP_AUTH + PASSWORD_VERIFIER, the library's default).
  const session = await authenticate(user, email, password);
  assert.ok(session.isValid());
  const id = jwtPayload(session.getIdToken().getJwtToken());
  const access = jwtPayload(session.getAccessToken().getJwtToken());
  assert.equal(id.token_use, 'id');
  assert.equal(id.sub, signed.userSub);
  assert.equal(id.email, email);
  assert.equal(id.email_verified, true);
  assert.equal(id.name, 'Ada Lovelace');
  assert.equal(id.aud, clientId);
  assert.equal(id['cognito:username'], signed.userSub);
  assert.equal(id.iss, `${server.endpoint}/${poolId}`);
  assert.equal(access.token_use, 'access');
  assert.equal(access.client_id, clientId);
  assert.equal(access.username, signed.userSub);
  assert.equal(access.sub, signed.userSub);
  assert.equal(access.iss, `${server.endpoint}/${poolId}`);
  assert.equal(access.scope, 'aws.cognito.signin.user.admin');
  assert.ok(session.getRefreshToken().getToken(), 'a refresh token came back');

  // getSession: the library keeps the tokens (in memory under Node) and hands back the same valid
  // session without a network call.
  const cached = await getSession(user);
  assert.equal(cached.getAccessToken().getJwtToken(), session.getAccessToken().getJwtToken());

  // refreshSession: REFRESH_TOKEN_AUTH gives new ID and access tokens for the same user.
  await new Promise((r) => setTimeout(r, 1100)); // so iat moves on by at least a second
  const refreshed = await refreshSession(user, session.getRefreshToken());
  assert.notEqual(refreshed.getAccessToken().getJwtToken(), session.getAccessToken().getJwtToken());
  const access2 = jwtPayload(refreshed.getAccessToken().getJwtToken());
  assert.equal(access2.sub, signed.userSub);
  assert.ok(access2.iat > access.iat, 'the refreshed access token is newer');
  assert.equal(access2.origin_jti, access.origin_jti, 'refresh keeps the sign-in session (origin_jti)');
  assert.ok(refreshed.getRefreshToken().getToken(), 'the session keeps a refresh token');

  // getUserAttributes (GetUser with the access token) and updateAttributes.
  const attrs = attributeMap(await getUserAttributes(user));
  assert.equal(attrs.email, email);
  assert.equal(attrs.email_verified, 'true');
  assert.equal(attrs.name, 'Ada Lovelace');
  assert.equal(attrs.sub, signed.userSub);
  await updateAttributes(user, [new CognitoUserAttribute({ Name: 'name', Value: 'Countess Lovelace' })]);
  assert.equal(attributeMap(await getUserAttributes(user)).name, 'Countess Lovelace');

  // globalSignOut: every token of the user is revoked; the old access token is refused by the
  // token-authorized operations and the refresh token no longer refreshes.
  const oldAccess = refreshed.getAccessToken().getJwtToken();
  const oldRefresh = refreshed.getRefreshToken().getToken();
  const firstAccess = session.getAccessToken().getJwtToken();
  assert.equal(await globalSignOut(user), 'SUCCESS');
  const anon = server.sdkClient();
  for (const token of [oldAccess, firstAccess]) {
    await assert.rejects(anon.send(new GetUserCommand({ AccessToken: token })), (err) => {
      assert.equal(err.name, 'NotAuthorizedException');
      assert.equal(err.message, 'Access Token has been revoked');
      return true;
    });
  }
  const again = new CognitoUser({ Username: email, Pool: pool });
  await assert.rejects(refreshSession(again, new CognitoRefreshToken({ RefreshToken: oldRefresh })), (err) => {
    assert.equal(err.code, 'NotAuthorizedException');
    return true;
  });
  await assert.rejects(
    anon.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: oldRefresh },
      }),
    ),
    (err) => err.name === 'NotAuthorizedException',
  );

  // A fresh sign-in still works after the global sign-out.
  const fresh = await authenticate(new CognitoUser({ Username: email, Pool: pool }), email, password);
  assert.ok(fresh.isValid());
  const freshUser = await anon.send(new GetUserCommand({ AccessToken: fresh.getAccessToken().getJwtToken() }));
  assert.equal(freshUser.Username, signed.userSub);
});

test('a pool with plain usernames: SRP sign-in with the username, getSession after refresh', async () => {
  const { poolId, clientId } = await server.createPoolAndClient({ usernameAttributes: null });
  const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: server.endpoint });
  const username = unique('grace');
  const email = `${username}@example.com`;
  const password = 'Anoth3r#Passw0rd';
  const signed = await signUp(pool, username, password, [
    new CognitoUserAttribute({ Name: 'email', Value: email }),
  ]);
  assert.equal(signed.userConfirmed, false);
  assert.equal(signed.user.getUsername(), username);
  const { code } = await server.waitForCode({ poolId, username });
  const user = new CognitoUser({ Username: username, Pool: pool });
  await confirmRegistration(user, code);
  // A confirmation code is used once.
  await assert.rejects(confirmRegistration(new CognitoUser({ Username: username, Pool: pool }), code));

  const session = await authenticate(user, username, password);
  const access = jwtPayload(session.getAccessToken().getJwtToken());
  assert.equal(access.username, username);
  assert.equal(jwtPayload(session.getIdToken().getJwtToken())['cognito:username'], username);

  // A second CognitoUser object for the same pool finds the stored session and refreshes it.
  const other = pool.getCurrentUser();
  assert.ok(other, 'the pool remembers the last signed-in user');
  assert.equal(other.getUsername(), username);
  const restored = await getSession(other);
  assert.ok(restored.isValid());
  const refreshed = await refreshSession(other, restored.getRefreshToken());
  assert.equal(jwtPayload(refreshed.getAccessToken().getJwtToken()).username, username);
  assert.equal(await globalSignOut(other), 'SUCCESS');
  await assert.rejects(
    server.sdkClient().send(new GetUserCommand({ AccessToken: refreshed.getAccessToken().getJwtToken() })),
    (err) => err.name === 'NotAuthorizedException' && err.message === 'Access Token has been revoked',
  );
});

test('an invited user: NEW_PASSWORD_REQUIRED answered with completeNewPasswordChallenge', async () => {
  const { poolId, clientId } = await server.createPoolAndClient();
  const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: server.endpoint });
  const email = `${unique('invited')}@example.com`;
  const temporary = 'Temp#Pass-0001';
  const created = await server.admin.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: email,
      TemporaryPassword: temporary,
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
      ],
      MessageAction: 'SUPPRESS',
    }),
  );
  assert.equal(created.User.UserStatus, 'FORCE_CHANGE_PASSWORD');

  const user = new CognitoUser({ Username: email, Pool: pool });
  const details = new AuthenticationDetails({ Username: email, Password: temporary });
  const session = await new Promise((resolve, reject) => {
    const callbacks = {
      onSuccess: resolve,
      onFailure: reject,
      newPasswordRequired(userAttributes, requiredAttributes) {
        try {
          assert.equal(userAttributes.email, email);
          assert.ok(Array.isArray(requiredAttributes));
          assert.equal(requiredAttributes.length, 0, 'nothing required is missing');
        } catch (err) {
          reject(err);
          return;
        }
        user.completeNewPasswordChallenge('Chosen#Pass-0002', {}, callbacks);
      },
    };
    user.authenticateUser(details, callbacks);
  });
  assert.ok(session.isValid());
  assert.equal(jwtPayload(session.getIdToken().getJwtToken()).email, email);
  const after = await server.admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: email }));
  assert.equal(after.UserStatus, 'CONFIRMED');

  // USER_PASSWORD_AUTH (setAuthenticationFlowType) with the chosen password; the temporary one
  // is gone.
  const plain = new CognitoUser({ Username: email, Pool: pool });
  plain.setAuthenticationFlowType('USER_PASSWORD_AUTH');
  await assert.rejects(authenticate(plain, email, temporary), (err) => err.code === 'NotAuthorizedException');
  const again = await authenticate(plain, email, 'Chosen#Pass-0002');
  assert.equal(jwtPayload(again.getAccessToken().getJwtToken()).username, created.User.Username);
});

test('--dev --dev-fixed-code: every code is the fixed value, so a local suite can hard-code it', async () => {
  const dev = await startServer({ args: ['--dev', '--dev-fixed-code', '314159'] });
  try {
    const { poolId, clientId } = await dev.createPoolAndClient();
    const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: dev.endpoint });
    const email = `${unique('dev')}@example.com`;
    await signUp(pool, email, 'Fixed-Code#123', [new CognitoUserAttribute({ Name: 'email', Value: email })]);
    assert.equal((await dev.waitForCode({ poolId, destination: email })).code, '314159');
    const user = new CognitoUser({ Username: email, Pool: pool });
    assert.equal(await confirmRegistration(user, '314159'), 'SUCCESS');
    const session = await authenticate(user, email, 'Fixed-Code#123');
    assert.ok(session.isValid());
  } finally {
    await dev.stop();
  }
});
