// Amplify v6 signIn -> confirmSignIn with an SMS code (SMS_MFA; mfa.test.mjs covers TOTP and
// e-mail codes), and the same challenge answered wrong first through amazon-cognito-identity-js.
// Codes come from data/outbox.jsonl (no SMS gateway configured).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import identity from 'amazon-cognito-identity-js';
import { Amplify } from 'aws-amplify';
import { ConsoleLogger } from 'aws-amplify/utils';
import { confirmSignIn, fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import {
  AdminSetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { jwtPayload, startServer, unique, verifiedEmail } from '../lib/cognate.mjs';

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = identity;

ConsoleLogger.LOG_LEVEL = 'ERROR';

const PASSWORD = 'Mfa#Passw0rd-1';
const SMS_CONFIG = { SnsCallerArn: 'arn:aws:iam::000000000000:role/sms', ExternalId: 'x' };
const FLOWS = ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  await signOut().catch(() => {});
  await server?.stop();
});

// A pool with plain usernames, MFA `mode` with SMS and TOTP, and a public client.
async function mfaPool(mode = 'OPTIONAL', factors = { sms: true, totp: true }) {
  const { poolId, clientId } = await server.createPoolAndClient({
    usernameAttributes: null,
    clientOverrides: { ExplicitAuthFlows: FLOWS },
  });
  await server.admin.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: poolId,
      MfaConfiguration: mode,
      ...(factors.sms ? { SmsMfaConfiguration: { SmsConfiguration: SMS_CONFIG } } : {}),
      ...(factors.totp ? { SoftwareTokenMfaConfiguration: { Enabled: true } } : {}),
    }),
  );
  return { poolId, clientId };
}

// A confirmed user with a verified e-mail address and phone number.
async function makeUser(poolId, { phone = '+12065550100' } = {}) {
  const username = unique('mfa');
  await server.createConfirmedUser({
    poolId,
    username,
    password: PASSWORD,
    attributes: [
      ...verifiedEmail(`${username}@example.com`),
      { Name: 'phone_number', Value: phone },
      { Name: 'phone_number_verified', Value: 'true' },
    ],
  });
  return username;
}

// ---- amazon-cognito-identity-js as promises ------------------------------------------------------

// Runs `start(callbacks)` and resolves with the first callback the library calls:
// { kind: 'onSuccess' | 'mfaRequired' | 'totpRequired' | ..., args }. onFailure rejects.
function step(start) {
  return new Promise((resolve, reject) => {
    const callbacks = { onFailure: reject };
    for (const kind of [
      'onSuccess',
      'mfaRequired',
      'totpRequired',
      'selectMFAType',
      'mfaSetup',
      'newPasswordRequired',
      'customChallenge',
      'associateSecretCode',
    ]) {
      callbacks[kind] = (...args) => resolve({ kind, args });
    }
    start(callbacks);
  });
}

function identityUser(poolId, clientId, username) {
  const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: server.endpoint });
  return new CognitoUser({ Username: username, Pool: pool });
}

function authenticate(user, username) {
  const details = new AuthenticationDetails({ Username: username, Password: PASSWORD });
  return step((cb) => user.authenticateUser(details, cb));
}

async function setPreference(poolId, username, settings) {
  await server.admin.send(
    new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: username, ...settings }),
  );
}

test('identity-js: mfaRequired (SMS_MFA) then sendMFACode', async () => {
  const { poolId, clientId } = await mfaPool();
  const username = await makeUser(poolId, { phone: '+12065550111' });
  await setPreference(poolId, username, { SMSMfaSettings: { Enabled: true, PreferredMfa: true } });

  const user = identityUser(poolId, clientId, username);
  const seen = server.countMessages({ poolId, destination: '+12065550111', purpose: 'mfa' });
  const challenge = await authenticate(user, username);
  assert.equal(challenge.kind, 'mfaRequired');
  assert.equal(challenge.args[0], 'SMS_MFA');
  assert.equal(challenge.args[1].CODE_DELIVERY_DELIVERY_MEDIUM, 'SMS');
  assert.equal(challenge.args[1].CODE_DELIVERY_DESTINATION, '+*******0111');
  const { code } = await server.waitForCode({
    poolId,
    destination: '+12065550111',
    purpose: 'mfa',
    count: seen,
  });
  await assert.rejects(
    step((cb) => user.sendMFACode(code === '000000' ? '111111' : '000000', cb)),
    (err) => {
      assert.equal(err.code, 'CodeMismatchException');
      return true;
    },
  );
  const done = await step((cb) => user.sendMFACode(code, cb));
  assert.equal(done.kind, 'onSuccess');
  assert.equal(jwtPayload(done.args[0].getAccessToken().getJwtToken()).username, username);
});

function configure(poolId, clientId) {
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: poolId,
        userPoolClientId: clientId,
        userPoolEndpoint: server.endpoint,
        loginWith: { username: true },
      },
    },
  });
}

async function accessTokenUsername() {
  const session = await fetchAuthSession();
  return jwtPayload(session.tokens.accessToken.toString()).username;
}

test('Amplify: signIn then confirmSignIn with an SMS code', async () => {
  const { poolId, clientId } = await mfaPool();
  configure(poolId, clientId);
  const username = await makeUser(poolId, { phone: '+12065550122' });
  await setPreference(poolId, username, { SMSMfaSettings: { Enabled: true, PreferredMfa: true } });
  const started = await signIn({ username, password: PASSWORD });
  assert.equal(started.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_SMS_CODE');
  assert.deepEqual(started.nextStep.codeDeliveryDetails, {
    deliveryMedium: 'SMS',
    destination: '+*******0122',
  });
  const { code } = await server.waitForCode({ poolId, destination: '+12065550122', purpose: 'mfa' });
  const done = await confirmSignIn({ challengeResponse: code });
  assert.equal(done.isSignedIn, true);
  assert.equal(await accessTokenUsername(), username);
  await signOut();
});
