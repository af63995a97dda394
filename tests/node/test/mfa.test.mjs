// MFA with the real clients: amazon-cognito-identity-js (mfaSetup -> associateSoftwareToken /
// verifySoftwareToken, totpRequired, selectMFAType, mfaRequired) and Amplify v6 (setUpTOTP,
// verifyTOTPSetup, updateMFAPreference, fetchMFAPreference, confirmSignIn for TOTP and e-mail
// codes). TOTP codes are computed here from first principles (RFC 6238 with node:crypto), codes
// sent by SMS / e-mail are read from the server's outbox.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import identity from 'amazon-cognito-identity-js';
import { Amplify } from 'aws-amplify';
import { ConsoleLogger } from 'aws-amplify/utils';
import {
  confirmSignIn,
  fetchMFAPreference,
  setUpTOTP,
  signIn,
  signOut,
  updateMFAPreference,
  verifyTOTPSetup,
} from 'aws-amplify/auth';
import {
  AdminSetUserMFAPreferenceCommand,
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { startServer, unique } from '../lib/cognate.mjs';

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = identity;
ConsoleLogger.LOG_LEVEL = 'ERROR';

const PASSWORD = 'Passw0rd!';
const SMS_CONFIG = { SnsCallerArn: 'arn:aws:iam::000000000000:role/sms' };

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  await server?.stop();
});

// ---- RFC 6238 --------------------------------------------------------------------------------

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/=+$/, '').toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

const stepNow = () => Math.floor(Date.now() / 1000 / 30);

function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const value = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(value % 1_000_000).padStart(6, '0');
}

// ---- helpers ---------------------------------------------------------------------------------

async function mfaPool(config, poolOverrides = {}) {
  const { poolId, clientId } = await server.createPoolAndClient({
    usernameAttributes: null,
    poolOverrides,
  });
  await server.admin.send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, ...config }));
  return { poolId, clientId };
}

async function makeUser(poolId, username, attributes = []) {
  await server.createConfirmedUser({
    poolId,
    username,
    password: PASSWORD,
    attributes: attributes,
  });
}

// authenticateUser resolving with the callback the library called: { via, args, user }.
function authenticate(user, username) {
  const details = new AuthenticationDetails({ Username: username, Password: PASSWORD });
  return new Promise((resolve, reject) => {
    const done = (via) => (...args) => resolve({ via, args });
    user.authenticateUser(details, {
      onSuccess: done('onSuccess'),
      onFailure: reject,
      newPasswordRequired: done('newPasswordRequired'),
      mfaRequired: done('mfaRequired'),
      totpRequired: done('totpRequired'),
      customChallenge: done('customChallenge'),
      mfaSetup: done('mfaSetup'),
      selectMFAType: done('selectMFAType'),
    });
  });
}

// sendMFACode / sendMFASelectionAnswer the same way.
function callbacks(resolve, reject) {
  const done = (via) => (...args) => resolve({ via, args });
  return {
    onSuccess: done('onSuccess'),
    onFailure: reject,
    mfaRequired: done('mfaRequired'),
    totpRequired: done('totpRequired'),
  };
}

// ---- amazon-cognito-identity-js ------------------------------------------------------------------

test('identity-js: mfaSetup with a software token, then totpRequired, selectMFAType and mfaRequired', async () => {
  const { poolId, clientId } = await mfaPool({
    MfaConfiguration: 'ON',
    SoftwareTokenMfaConfiguration: { Enabled: true },
  });
  const username = unique('ida');
  await makeUser(poolId, username, [{ Name: 'email', Value: `${username}@example.com` }]);
  const pool = new CognitoUserPool({
    UserPoolId: poolId,
    ClientId: clientId,
    endpoint: server.endpoint,
  });

  const user = new CognitoUser({ Username: username, Pool: pool });
  const setup = await authenticate(user, username);
  assert.equal(setup.via, 'mfaSetup');
  assert.equal(setup.args[0], 'MFA_SETUP');
  const secret = await new Promise((resolve, reject) =>
    user.associateSoftwareToken({ associateSecretCode: resolve, onFailure: reject }),
  );
  assert.equal(secret.length, 52);
  const setupStep = stepNow();
  // A wrong code first: the library reports Cognito's EnableSoftwareTokenMFAException.
  const wrong = totp(secret, setupStep) === '000000' ? '111111' : '000000';
  await assert.rejects(
    new Promise((resolve, reject) =>
      user.verifySoftwareToken(wrong, 'phone', { onSuccess: resolve, onFailure: reject }),
    ),
    (err) => err.code === 'EnableSoftwareTokenMFAException',
  );
  const session = await new Promise((resolve, reject) =>
    user.verifySoftwareToken(totp(secret, setupStep), 'phone', {
      onSuccess: resolve,
      onFailure: reject,
    }),
  );
  assert.ok(session.getAccessToken().getJwtToken());

  // Second sign-in: totpRequired; the code used at setup is refused as already used.
  const again = new CognitoUser({ Username: username, Pool: pool });
  const challenged = await authenticate(again, username);
  assert.equal(challenged.via, 'totpRequired');
  await assert.rejects(
    new Promise((resolve, reject) =>
      again.sendMFACode(totp(secret, setupStep), callbacks(resolve, reject), 'SOFTWARE_TOKEN_MFA'),
    ),
    (err) =>
      err.code === 'ExpiredCodeException' &&
      err.message === 'Your software token has already been used once.',
  );
  const ok = await new Promise((resolve, reject) =>
    again.sendMFACode(totp(secret, setupStep + 1), callbacks(resolve, reject), 'SOFTWARE_TOKEN_MFA'),
  );
  assert.equal(ok.via, 'onSuccess');

  // Add SMS (needs the pool's SMS MFA and a phone number) with no preference: selectMFAType.
  await server.admin.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: poolId,
      MfaConfiguration: 'ON',
      SoftwareTokenMfaConfiguration: { Enabled: true },
      SmsMfaConfiguration: { SmsConfiguration: SMS_CONFIG },
    }),
  );
  await server.admin.send(
    new AdminUpdateUserAttributesCommand({
      UserPoolId: poolId,
      Username: username,
      UserAttributes: [{ Name: 'phone_number', Value: '+15555550142' }],
    }),
  );
  await server.admin.send(
    new AdminSetUserMFAPreferenceCommand({
      UserPoolId: poolId,
      Username: username,
      SMSMfaSettings: { Enabled: true, PreferredMfa: false },
      SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: false },
    }),
  );
  const third = new CognitoUser({ Username: username, Pool: pool });
  const select = await authenticate(third, username);
  assert.equal(select.via, 'selectMFAType');
  assert.deepEqual(JSON.parse(select.args[1].MFAS_CAN_CHOOSE), ['SMS_MFA', 'SOFTWARE_TOKEN_MFA']);
  const sent = server.countMessages({ poolId, purpose: 'mfa' });
  const sms = await new Promise((resolve, reject) =>
    third.sendMFASelectionAnswer('SMS_MFA', callbacks(resolve, reject)),
  );
  assert.equal(sms.via, 'mfaRequired');
  assert.equal(sms.args[1].CODE_DELIVERY_DELIVERY_MEDIUM, 'SMS');
  assert.equal(sms.args[1].CODE_DELIVERY_DESTINATION, '+*******0142');
  const { code } = await server.waitForCode({ poolId, purpose: 'mfa', count: sent });
  await assert.rejects(
    new Promise((resolve, reject) =>
      third.sendMFACode(code === '000000' ? '111111' : '000000', callbacks(resolve, reject)),
    ),
    (err) =>
      err.code === 'CodeMismatchException' &&
      err.message === 'Invalid code or auth state for the user.',
  );
  const done = await new Promise((resolve, reject) =>
    third.sendMFACode(code, callbacks(resolve, reject)),
  );
  assert.equal(done.via, 'onSuccess');
});

// ---- Amplify v6 --------------------------------------------------------------------------------

test('Amplify: setUpTOTP, verifyTOTPSetup, updateMFAPreference, confirmSignIn with TOTP and e-mail codes', async () => {
  const { poolId, clientId } = await mfaPool(
    {
      MfaConfiguration: 'OPTIONAL',
      SoftwareTokenMfaConfiguration: { Enabled: true },
      EmailMfaConfiguration: { Message: 'Your code is {####}', Subject: 'Sign-in code' },
    },
    {
      EmailConfiguration: {
        EmailSendingAccount: 'DEVELOPER',
        From: 'no-reply@example.com',
        SourceArn: 'arn:aws:ses:us-east-1:000000000000:identity/example.com',
      },
    },
  );
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: poolId,
        userPoolClientId: clientId,
        userPoolEndpoint: server.endpoint,
      },
    },
  });
  const username = unique('amp');
  const email = `${username}@example.com`;
  await makeUser(poolId, username, [
    { Name: 'email', Value: email },
    { Name: 'email_verified', Value: 'true' },
  ]);

  // OPTIONAL and nothing enabled: signed in directly.
  let result = await signIn({ username, password: PASSWORD });
  assert.equal(result.nextStep.signInStep, 'DONE');
  const details = await setUpTOTP();
  const secret = details.sharedSecret;
  assert.equal(secret.length, 52);
  assert.match(details.getSetupUri('Cognate').toString(), /^otpauth:\/\/totp\//);
  const setupStep = stepNow();
  await verifyTOTPSetup({ code: totp(secret, setupStep), options: { friendlyDeviceName: 'phone' } });
  await updateMFAPreference({ totp: 'PREFERRED' });
  assert.deepEqual(await fetchMFAPreference(), { enabled: ['TOTP'], preferred: 'TOTP' });
  await signOut();

  result = await signIn({ username, password: PASSWORD });
  assert.equal(result.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
  result = await confirmSignIn({ challengeResponse: totp(secret, setupStep + 1) });
  assert.equal(result.nextStep.signInStep, 'DONE');

  // E-mail MFA preferred instead.
  await updateMFAPreference({ email: 'PREFERRED', totp: 'ENABLED' });
  assert.deepEqual(await fetchMFAPreference(), { enabled: ['TOTP', 'EMAIL'], preferred: 'EMAIL' });
  await signOut();
  const sent = server.countMessages({ poolId, purpose: 'mfa' });
  result = await signIn({ username, password: PASSWORD });
  assert.equal(result.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
  assert.equal(result.nextStep.codeDeliveryDetails.deliveryMedium, 'EMAIL');
  const { code, destination } = await server.waitForCode({ poolId, purpose: 'mfa', count: sent });
  assert.equal(destination, email);
  result = await confirmSignIn({ challengeResponse: code });
  assert.equal(result.nextStep.signInStep, 'DONE');
  const user = await server.admin.send(
    new AdminGetUserCommand({ UserPoolId: poolId, Username: username }),
  );
  assert.equal(user.PreferredMfaSetting, 'EMAIL_OTP');
  await signOut();
});
