// Amplify JS v6 (aws-amplify/auth) against the real server, configured the way an app points it at
// a self-hosted Cognito: Auth.Cognito.userPoolEndpoint. Amplify keeps its tokens in memory under
// Node. Amplify swallows errors of sign-out calls, so every sign-out is checked on the server side
// (the old tokens must be refused).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Amplify } from 'aws-amplify';
import { ConsoleLogger } from 'aws-amplify/utils';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import {
  confirmResetPassword,
  confirmSignIn,
  confirmSignUp,
  confirmUserAttribute,
  deleteUser,
  fetchAuthSession,
  fetchUserAttributes,
  getCurrentUser,
  resendSignUpCode,
  resetPassword,
  signIn,
  signOut,
  signUp,
  updatePassword,
  updateUserAttributes,
} from 'aws-amplify/auth';
import {
  AdminCreateUserCommand,
  GetTokensFromRefreshTokenCommand,
  GetUserCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startServer, unique } from '../lib/cognate.mjs';

// Amplify warns on every configure that the endpoint is a custom one; keep errors only.
ConsoleLogger.LOG_LEVEL = 'ERROR';

let server;
let anon;

before(async () => {
  server = await startServer();
  anon = server.sdkClient();
});

after(async () => {
  await server?.stop();
});

function configure(poolId, clientId) {
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: poolId,
        userPoolClientId: clientId,
        userPoolEndpoint: server.endpoint,
        loginWith: { email: true },
        signUpVerificationMethod: 'code',
      },
    },
  });
}

// The access token is refused by GetUser with "Access Token has been revoked".
async function assertRevoked(accessToken) {
  await assert.rejects(anon.send(new GetUserCommand({ AccessToken: accessToken })), (err) => {
    assert.equal(err.name, 'NotAuthorizedException');
    assert.equal(err.message, 'Access Token has been revoked');
    return true;
  });
}

// The refresh token no longer refreshes.
async function assertRefreshRefused(clientId, refreshToken) {
  await assert.rejects(
    anon.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      }),
    ),
    (err) => {
      assert.equal(err.name, 'NotAuthorizedException');
      return true;
    },
  );
}

// Signs a new user up and confirms them with the code from the outbox. Returns { email, userId }.
async function signUpAndConfirm(poolId, password, extra = {}) {
  const email = `${unique('amp')}@example.com`;
  const result = await signUp({
    username: email,
    password,
    options: { userAttributes: { email, ...extra } },
  });
  assert.equal(result.isSignUpComplete, false);
  assert.equal(result.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
  assert.equal(result.nextStep.codeDeliveryDetails.deliveryMedium, 'EMAIL');
  assert.equal(result.nextStep.codeDeliveryDetails.attributeName, 'email');
  assert.ok(result.userId, 'signUp returns the new user id (UserSub)');
  const { code } = await server.waitForCode({ poolId, destination: email });
  const confirmed = await confirmSignUp({ username: email, confirmationCode: code });
  assert.equal(confirmed.isSignUpComplete, true);
  assert.equal(confirmed.nextStep.signUpStep, 'DONE');
  return { email, userId: result.userId };
}

test('signUp, confirmSignUp, SRP signIn, fetchAuthSession, attributes, signOut({global:true})', async () => {
  const { poolId, clientId } = await server.createPoolAndClient();
  configure(poolId, clientId);
  const password = 'Amplify#Six-6';
  const { email, userId } = await signUpAndConfirm(poolId, password, { name: 'Margaret' });

  // Wrong password: Amplify surfaces Cognito's error name and message.
  await assert.rejects(signIn({ username: email, password: 'Not-the-Passw0rd' }), (err) => {
    assert.equal(err.name, 'NotAuthorizedException');
    assert.equal(err.message, 'Incorrect username or password.');
    return true;
  });

  // Default flow: USER_SRP_AUTH.
  const signedIn = await signIn({ username: email, password });
  assert.equal(signedIn.isSignedIn, true);
  assert.equal(signedIn.nextStep.signInStep, 'DONE');

  const current = await getCurrentUser();
  assert.equal(current.userId, userId);
  assert.equal(current.username, userId, 'an e-mail pool names the user by its sub');
  assert.equal(current.signInDetails.authFlowType, 'USER_SRP_AUTH');

  const session = await fetchAuthSession();
  assert.ok(session.tokens?.accessToken, 'fetchAuthSession has an access token');
  assert.ok(session.tokens?.idToken, 'fetchAuthSession has an ID token');
  assert.equal(session.userSub, userId);
  assert.equal(session.tokens.idToken.payload.email, email);
  assert.equal(session.tokens.idToken.payload.name, 'Margaret');
  assert.equal(session.tokens.idToken.payload.iss, `${server.endpoint}/${poolId}`);
  assert.equal(session.tokens.accessToken.payload.client_id, clientId);
  assert.ok(session.tokens.accessToken.payload.origin_jti, 'origin_jti lets Amplify revoke');

  // forceRefresh: Amplify refreshes with GetTokensFromRefreshToken.
  await new Promise((r) => setTimeout(r, 1100));
  const refreshed = await fetchAuthSession({ forceRefresh: true });
  assert.ok(refreshed.tokens?.accessToken, 'the refresh produced tokens');
  assert.notEqual(refreshed.tokens.accessToken.toString(), session.tokens.accessToken.toString());
  assert.ok(refreshed.tokens.accessToken.payload.iat > session.tokens.accessToken.payload.iat);
  assert.equal(refreshed.tokens.accessToken.payload.sub, userId);

  // updateUserAttributes: a plain attribute is updated at once.
  const updated = await updateUserAttributes({ userAttributes: { name: 'Margaret Hamilton' } });
  assert.equal(updated.name.isUpdated, true);
  assert.equal(updated.name.nextStep.updateAttributeStep, 'DONE');
  let attrs = await fetchUserAttributes();
  assert.equal(attrs.name, 'Margaret Hamilton');
  assert.equal(attrs.email, email);
  assert.equal(attrs.sub, userId);

  // An e-mail change needs its code; confirmUserAttribute applies it.
  const newEmail = `${unique('amp-new')}@example.com`;
  const changed = await updateUserAttributes({ userAttributes: { email: newEmail } });
  assert.equal(changed.email.isUpdated, false);
  assert.equal(changed.email.nextStep.updateAttributeStep, 'CONFIRM_ATTRIBUTE_WITH_CODE');
  assert.equal(changed.email.nextStep.codeDeliveryDetails.attributeName, 'email');
  const { code } = await server.waitForCode({ poolId, destination: newEmail });
  await confirmUserAttribute({ userAttributeKey: 'email', confirmationCode: code });
  attrs = await fetchUserAttributes();
  assert.equal(attrs.email, newEmail);
  assert.equal(attrs.email_verified, 'true');

  // signOut({ global: true }): Amplify calls GlobalSignOut and forgets its tokens; the server
  // refuses every token of the user from then on.
  const lastAccess = (await fetchAuthSession()).tokens.accessToken.toString();
  const firstAccess = session.tokens.accessToken.toString();
  await signOut({ global: true });
  const after = await fetchAuthSession();
  assert.equal(after.tokens, undefined, 'Amplify forgot the tokens');
  await assertRevoked(lastAccess);
  await assertRevoked(firstAccess);

  // The new address signs in (and the old one no longer does).
  const again = await signIn({ username: newEmail, password });
  assert.equal(again.isSignedIn, true);
  await signOut();
  await assert.rejects(signIn({ username: email, password }), (err) => {
    assert.equal(err.name, 'NotAuthorizedException');
    return true;
  });
});

test('signIn with authFlowType USER_PASSWORD_AUTH; plain signOut revokes through RevokeToken', async () => {
  const { poolId, clientId } = await server.createPoolAndClient();
  configure(poolId, clientId);
  const password = 'Plain-flow#2024';
  const { email, userId } = await signUpAndConfirm(poolId, password);

  const result = await signIn({
    username: email,
    password,
    options: { authFlowType: 'USER_PASSWORD_AUTH' },
  });
  assert.equal(result.isSignedIn, true);
  const current = await getCurrentUser();
  assert.equal(current.userId, userId);
  assert.equal(current.signInDetails.authFlowType, 'USER_PASSWORD_AUTH');
  const session = await fetchAuthSession();
  const access = session.tokens.accessToken.toString();
  assert.equal(session.tokens.accessToken.payload.token_use, 'access');
  const me = await anon.send(new GetUserCommand({ AccessToken: access }));
  assert.equal(me.Username, userId);

  // signOut() without global: Amplify revokes its refresh token (RevokeToken), which also
  // revokes the access tokens issued from it.
  await signOut();
  await assertRevoked(access);
});

test('a client that does not allow USER_PASSWORD_AUTH refuses it; SRP still works', async () => {
  const { poolId, clientId } = await server.createPoolAndClient({
    clientOverrides: { ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
  });
  configure(poolId, clientId);
  const password = 'Only-SRP#here1';
  const { email } = await signUpAndConfirm(poolId, password);
  await assert.rejects(
    signIn({ username: email, password, options: { authFlowType: 'USER_PASSWORD_AUTH' } }),
    (err) => {
      assert.equal(err.name, 'InvalidParameterException');
      assert.equal(err.message, 'USER_PASSWORD_AUTH flow not enabled for this client');
      return true;
    },
  );
  const ok = await signIn({ username: email, password });
  assert.equal(ok.isSignedIn, true);
  await signOut({ global: true });
});

test('resetPassword and confirmResetPassword: the new password signs in, the old one does not', async () => {
  const { poolId, clientId } = await server.createPoolAndClient();
  configure(poolId, clientId);
  const oldPassword = 'Before-Reset#1';
  const newPassword = 'After-Reset#22';
  const { email, userId } = await signUpAndConfirm(poolId, oldPassword);

  const reset = await resetPassword({ username: email });
  assert.equal(reset.isPasswordReset, false);
  assert.equal(reset.nextStep.resetPasswordStep, 'CONFIRM_RESET_PASSWORD_WITH_CODE');
  assert.equal(reset.nextStep.codeDeliveryDetails.deliveryMedium, 'EMAIL');
  assert.equal(reset.nextStep.codeDeliveryDetails.attributeName, 'email');
  const seen = server.countMessages({ poolId, destination: email });
  assert.ok(seen >= 2, 'sign-up code and reset code are both in the outbox');
  const { code } = await server.waitForCode({ poolId, destination: email, count: seen - 1 });

  // A wrong code is refused with Cognito's error.
  await assert.rejects(
    confirmResetPassword({
      username: email,
      confirmationCode: code === '000000' ? '111111' : '000000',
      newPassword,
    }),
    (err) => {
      assert.equal(err.name, 'CodeMismatchException');
      return true;
    },
  );
  await confirmResetPassword({ username: email, confirmationCode: code, newPassword });
  // The code is used up.
  await assert.rejects(
    confirmResetPassword({ username: email, confirmationCode: code, newPassword: 'Third-Pass#333' }),
    (err) => {
      assert.ok(
        ['CodeMismatchException', 'ExpiredCodeException'].includes(err.name),
        `a used code is refused (got ${err.name}: ${err.message})`,
      );
      return true;
    },
  );

  await assert.rejects(signIn({ username: email, password: oldPassword }), (err) => {
    assert.equal(err.name, 'NotAuthorizedException');
    assert.equal(err.message, 'Incorrect username or password.');
    return true;
  });
  const signedIn = await signIn({ username: email, password: newPassword });
  assert.equal(signedIn.isSignedIn, true);
  assert.equal((await getCurrentUser()).userId, userId);
  const access = (await fetchAuthSession()).tokens.accessToken.toString();
  await signOut({ global: true });
  await assertRevoked(access);
});

test('signIn before confirmation, resendSignUpCode, updatePassword, deleteUser', async () => {
  const { poolId, clientId } = await server.createPoolAndClient();
  configure(poolId, clientId);
  const email = `${unique('amp-late')}@example.com`;
  const password = 'Late-Confirm#1';
  await signUp({ username: email, password, options: { userAttributes: { email } } });
  await server.waitForCode({ poolId, destination: email });

  // Amplify turns UserNotConfirmedException into the CONFIRM_SIGN_UP step.
  const early = await signIn({ username: email, password });
  assert.equal(early.isSignedIn, false);
  assert.equal(early.nextStep.signInStep, 'CONFIRM_SIGN_UP');

  // A resent code confirms the user.
  const resent = await resendSignUpCode({ username: email });
  assert.equal(resent.deliveryMedium, 'EMAIL');
  assert.equal(resent.attributeName, 'email');
  const { code } = await server.waitForCode({ poolId, destination: email, count: 1 });
  const confirmed = await confirmSignUp({ username: email, confirmationCode: code });
  assert.equal(confirmed.isSignUpComplete, true);

  // updatePassword (ChangePassword with the access token): a wrong old password is refused.
  await signIn({ username: email, password });
  await assert.rejects(
    updatePassword({ oldPassword: 'Not-the-old#1', newPassword: 'Changed-Pass#2' }),
    (err) => {
      assert.equal(err.name, 'NotAuthorizedException');
      assert.equal(err.message, 'Incorrect username or password.');
      return true;
    },
  );
  await updatePassword({ oldPassword: password, newPassword: 'Changed-Pass#2' });
  await signOut();
  await assert.rejects(signIn({ username: email, password }), (err) => err.name === 'NotAuthorizedException');
  const again = await signIn({ username: email, password: 'Changed-Pass#2' });
  assert.equal(again.isSignedIn, true);

  // deleteUser: the user is gone; its access token no longer works (Cognito's docs do not say
  // which of the two errors a deleted user's token gets).
  const access = (await fetchAuthSession()).tokens.accessToken.toString();
  await deleteUser();
  assert.equal((await fetchAuthSession()).tokens, undefined, 'Amplify signed out after deleteUser');
  await assert.rejects(anon.send(new GetUserCommand({ AccessToken: access })), (err) => {
    assert.ok(['NotAuthorizedException', 'UserNotFoundException'].includes(err.name), err.name);
    return true;
  });
  await assert.rejects(signIn({ username: email, password: 'Changed-Pass#2' }), (err) => {
    assert.equal(err.name, 'NotAuthorizedException', 'PreventUserExistenceErrors hides the deleted user');
    assert.equal(err.message, 'Incorrect username or password.');
    return true;
  });
});

test('refresh-token rotation: Amplify keeps the rotated token, the replaced one is refused', async () => {
  const { poolId, clientId } = await server.createPoolAndClient({
    clientOverrides: { RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 0 } },
  });
  configure(poolId, clientId);
  const password = 'Rotate-Me#1234';
  const { email, userId } = await signUpAndConfirm(poolId, password);
  await signIn({ username: email, password });
  const storedRefresh = async () =>
    (await cognitoUserPoolsTokenProvider.authTokenStore.loadTokens()).refreshToken;
  const r0 = await storedRefresh();
  assert.ok(r0, 'Amplify stored a refresh token');

  // fetchAuthSession({forceRefresh}) goes through GetTokensFromRefreshToken, which now returns a
  // new refresh token that Amplify stores.
  const s1 = await fetchAuthSession({ forceRefresh: true });
  assert.equal(s1.tokens.accessToken.payload.sub, userId);
  const r1 = await storedRefresh();
  assert.ok(r1 && r1 !== r0, 'rotation replaced the refresh token');
  const s2 = await fetchAuthSession({ forceRefresh: true });
  assert.equal(s2.tokens.accessToken.payload.sub, userId);
  const r2 = await storedRefresh();
  assert.ok(r2 && r2 !== r1, 'the rotated token rotates again');

  // With no grace period the replaced token no longer works.
  await assert.rejects(
    anon.send(new GetTokensFromRefreshTokenCommand({ ClientId: clientId, RefreshToken: r0 })),
    (err) => {
      assert.equal(err.name, 'NotAuthorizedException');
      return true;
    },
  );
  await signOut({ global: true });
  await assertRevoked(s2.tokens.accessToken.toString());
});

test('an invited user: signIn asks for a new password, confirmSignIn sets it', async () => {
  const { poolId, clientId } = await server.createPoolAndClient();
  configure(poolId, clientId);
  const email = `${unique('amp-invite')}@example.com`;
  const created = await server.admin.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: email,
      TemporaryPassword: 'Temp#Invite-01',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
      ],
      MessageAction: 'SUPPRESS',
    }),
  );
  const first = await signIn({ username: email, password: 'Temp#Invite-01' });
  assert.equal(first.isSignedIn, false);
  assert.equal(first.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED');
  const done = await confirmSignIn({ challengeResponse: 'Mine#Invite-02' });
  assert.equal(done.isSignedIn, true);
  assert.equal((await getCurrentUser()).username, created.User.Username);
  await signOut();
  const again = await signIn({ username: email, password: 'Mine#Invite-02', options: { authFlowType: 'USER_PASSWORD_AUTH' } });
  assert.equal(again.isSignedIn, true);
  await signOut({ global: true });
});
