// MFA through amazon-cognito-identity-js and Amplify v6 against the real server: the
// authenticateUser callbacks mfaRequired (SMS_MFA), totpRequired, selectMFAType and mfaSetup;
// Amplify signIn -> confirmSignIn with TOTP, SMS and e-mail codes, setUpTOTP / verifyTOTPSetup,
// updateMFAPreference and fetchMFAPreference. TOTP codes are computed here from RFC 6238 with
// node's crypto (not the server's code); SMS and e-mail codes come from data/outbox.jsonl.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import identity from 'amazon-cognito-identity-js';
import { Amplify } from 'aws-amplify';
import { ConsoleLogger } from 'aws-amplify/utils';
import {
  confirmSignIn,
  fetchAuthSession,
  fetchMFAPreference,
  setUpTOTP,
  signIn,
  signOut,
  updateMFAPreference,
  verifyTOTPSetup,
} from 'aws-amplify/auth';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { jwtPayload, startServer, unique } from '../lib/cognate.mjs';

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

// ---- TOTP (RFC 6238: HMAC-SHA1, 30 s, 6 digits) --------------------------------------------------

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    assert.ok(v >= 0, `not base32: ${text}`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

function totpAt(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1e6).padStart(6, '0');
}

// A code the server has not seen yet for `secret` (a code is accepted once): the current step,
// or a later one within the server's window of one step, waiting for the clock when needed.
const lastStep = new Map();
async function freshTotp(secret) {
  for (;;) {
    const now = Math.floor(Date.now() / 30000);
    const step = Math.max(now, (lastStep.get(secret) ?? -1) + 1);
    if (step <= now + 1) {
      lastStep.set(secret, step);
      return totpAt(secret, step);
    }
    await new Promise((r) => setTimeout(r, 30000 - (Date.now() % 30000) + 50));
  }
}

// ---- pools, users -----------------------------------------------------------------------------

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
  await server.admin.send(
    new AdminCreateUserCommand({
      UserPoolId: poolId,
      Username: username,
      MessageAction: 'SUPPRESS',
      TemporaryPassword: PASSWORD,
      UserAttributes: [
        { Name: 'email', Value: `${username}@example.com` },
        { Name: 'email_verified', Value: 'true' },
        { Name: 'phone_number', Value: phone },
        { Name: 'phone_number_verified', Value: 'true' },
      ],
    }),
  );
  await server.admin.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: poolId,
      Username: username,
      Password: PASSWORD,
      Permanent: true,
    }),
  );
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

// A user with a verified software token (set up through the access token), TOTP preferred.
// Returns the secret.
async function withTotp(poolId, clientId, username) {
  const user = identityUser(poolId, clientId, username);
  assert.equal((await authenticate(user, username)).kind, 'onSuccess');
  const assoc = await step((cb) => user.associateSoftwareToken(cb));
  assert.equal(assoc.kind, 'associateSecretCode');
  const secret = assoc.args[0];
  const verified = await new Promise((resolve, reject) =>
    user.verifySoftwareToken(totpAt(secret, Math.floor(Date.now() / 30000)), 'phone', {
      onSuccess: resolve,
      onFailure: reject,
    }),
  );
  assert.equal(verified.Status, 'SUCCESS');
  lastStep.set(secret, Math.floor(Date.now() / 30000));
  return secret;
}

async function setPreference(poolId, username, settings) {
  await server.admin.send(
    new AdminSetUserMFAPreferenceCommand({ UserPoolId: poolId, Username: username, ...settings }),
  );
}

// ---- amazon-cognito-identity-js ----------------------------------------------------------------

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

test('identity-js: totpRequired, and selectMFAType between SMS and TOTP', async () => {
  const { poolId, clientId } = await mfaPool();
  const username = await makeUser(poolId);
  const secret = await withTotp(poolId, clientId, username);
  await setPreference(poolId, username, {
    SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
  });

  let user = identityUser(poolId, clientId, username);
  let r = await authenticate(user, username);
  let code;
  assert.equal(r.kind, 'totpRequired');
  assert.equal(r.args[0], 'SOFTWARE_TOKEN_MFA');
  code = await freshTotp(secret);
  r = await step((cb) => user.sendMFACode(code, cb, 'SOFTWARE_TOKEN_MFA'));
  assert.equal(r.kind, 'onSuccess');

  // Both factors enabled, none preferred: the user picks one.
  await setPreference(poolId, username, {
    SMSMfaSettings: { Enabled: true, PreferredMfa: false },
    SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: false },
  });
  user = identityUser(poolId, clientId, username);
  r = await authenticate(user, username);
  assert.equal(r.kind, 'selectMFAType');
  assert.deepEqual(JSON.parse(r.args[1].MFAS_CAN_CHOOSE).sort(), ['SMS_MFA', 'SOFTWARE_TOKEN_MFA']);
  r = await step((cb) => user.sendMFASelectionAnswer('SOFTWARE_TOKEN_MFA', cb));
  assert.equal(r.kind, 'totpRequired');
  code = await freshTotp(secret);
  r = await step((cb) => user.sendMFACode(code, cb, 'SOFTWARE_TOKEN_MFA'));
  assert.equal(r.kind, 'onSuccess');
});

test('identity-js: mfaSetup with associateSoftwareToken and verifySoftwareToken', async () => {
  const { poolId, clientId } = await mfaPool('ON', { totp: true });
  const username = await makeUser(poolId);
  const user = identityUser(poolId, clientId, username);
  let r = await authenticate(user, username);
  assert.equal(r.kind, 'mfaSetup');
  assert.equal(r.args[0], 'MFA_SETUP');
  r = await step((cb) => user.associateSoftwareToken(cb));
  assert.equal(r.kind, 'associateSecretCode');
  const secret = r.args[0];
  const session = await new Promise((resolve, reject) =>
    user.verifySoftwareToken(totpAt(secret, Math.floor(Date.now() / 30000)), 'My phone', {
      onSuccess: resolve,
      onFailure: reject,
    }),
  );
  lastStep.set(secret, Math.floor(Date.now() / 30000));
  assert.equal(jwtPayload(session.getAccessToken().getJwtToken()).username, username);
  const got = await server.admin.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: username }));
  assert.deepEqual(got.UserMFASettingList, ['SOFTWARE_TOKEN_MFA']);

  // From now on the software token is asked for.
  r = await authenticate(identityUser(poolId, clientId, username), username);
  assert.equal(r.kind, 'totpRequired');
});

// ---- Amplify v6 ---------------------------------------------------------------------------------

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

test('Amplify: setUpTOTP, verifyTOTPSetup, updateMFAPreference, then signIn with a TOTP code', async () => {
  const { poolId, clientId } = await mfaPool();
  configure(poolId, clientId);
  const username = await makeUser(poolId);
  assert.equal((await signIn({ username, password: PASSWORD })).isSignedIn, true);

  const details = await setUpTOTP();
  const secret = details.sharedSecret;
  assert.match(details.getSetupUri('Cognate').href, /^otpauth:\/\/totp\/Cognate:/);
  await verifyTOTPSetup({ code: await freshTotp(secret), options: { friendlyDeviceName: 'phone' } });
  await updateMFAPreference({ totp: 'PREFERRED' });
  assert.deepEqual(await fetchMFAPreference(), { enabled: ['TOTP'], preferred: 'TOTP' });
  await signOut();

  const started = await signIn({ username, password: PASSWORD });
  assert.equal(started.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_TOTP_CODE');
  const done = await confirmSignIn({ challengeResponse: await freshTotp(secret) });
  assert.equal(done.isSignedIn, true);
  assert.equal(await accessTokenUsername(), username);

  // Turning TOTP off again: sign-in needs no second factor.
  await updateMFAPreference({ totp: 'DISABLED' });
  assert.deepEqual((await fetchMFAPreference()).enabled ?? [], []);
  await signOut();
  assert.equal((await signIn({ username, password: PASSWORD })).isSignedIn, true);
  await signOut();
});

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

test('Amplify: signIn then confirmSignIn with an e-mail code (email MFA)', async () => {
  const { poolId, clientId } = await server.createPoolAndClient({
    usernameAttributes: null,
    poolOverrides: {
      EmailConfiguration: {
        EmailSendingAccount: 'DEVELOPER',
        From: 'no-reply@example.com',
        SourceArn: 'arn:aws:ses:us-east-1:000000000000:identity/example.com',
      },
    },
    clientOverrides: { ExplicitAuthFlows: FLOWS },
  });
  await server.admin.send(
    new SetUserPoolMfaConfigCommand({
      UserPoolId: poolId,
      MfaConfiguration: 'OPTIONAL',
      EmailMfaConfiguration: { Message: 'Your sign-in code is {####}', Subject: 'Sign in' },
    }),
  );
  configure(poolId, clientId);
  const username = await makeUser(poolId);
  await setPreference(poolId, username, { EmailMfaSettings: { Enabled: true, PreferredMfa: true } });
  const email = `${username}@example.com`;
  const started = await signIn({ username, password: PASSWORD });
  assert.equal(started.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
  assert.equal(started.nextStep.codeDeliveryDetails.deliveryMedium, 'EMAIL');
  const message = await server.waitForCode({ poolId, destination: email, purpose: 'mfa' });
  assert.equal(message.subject, 'Sign in');
  const done = await confirmSignIn({ challengeResponse: message.code });
  assert.equal(done.isSignedIn, true);
  assert.equal(await accessTokenUsername(), username);
  await signOut();
});
