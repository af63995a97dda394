// Remembered devices through amazon-cognito-identity-js and Amplify v6 against the real server:
// the libraries confirm the device they are given on sign-in (ConfirmDevice with their own SRP
// verifier); identity-js setDeviceStatusRemembered, then a second sign-in that skips MFA through
// DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER; Amplify rememberDevice, fetchDevices, forgetDevice.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import identity from 'amazon-cognito-identity-js';
import { Amplify } from 'aws-amplify';
import { ConsoleLogger } from 'aws-amplify/utils';
import {
  fetchAuthSession,
  fetchDevices,
  forgetDevice,
  rememberDevice,
  signIn,
  signOut,
} from 'aws-amplify/auth';
import {
  AdminListDevicesCommand,
  AdminSetUserMFAPreferenceCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { jwtPayload, startServer, unique } from '../lib/cognate.mjs';

const { AuthenticationDetails, CognitoUser, CognitoUserPool } = identity;

ConsoleLogger.LOG_LEVEL = 'ERROR';

// Amplify names a new device after navigator.userAgent before it confirms it (and silently skips
// the confirmation when that fails). Node has the global from version 21 on; on node 20 this file
// supplies the one member Amplify reads.
globalThis.navigator ??= { userAgent: `node/${process.versions.node}` };

const PASSWORD = 'Device#Passw0rd-1';
const SMS_CONFIG = { SnsCallerArn: 'arn:aws:iam::000000000000:role/sms', ExternalId: 'x' };
const FLOWS = ['ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
const OPT_IN = { ChallengeRequiredOnNewDevice: true, DeviceOnlyRememberedOnUserPrompt: true };

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  await signOut().catch(() => {});
  await server?.stop();
});

// A pool with plain usernames, remembered devices on the user's prompt, optionally SMS MFA.
async function devicePool({ mfa = false } = {}) {
  return server.createPoolAndClient({
    usernameAttributes: null,
    poolOverrides: {
      DeviceConfiguration: OPT_IN,
      ...(mfa ? { MfaConfiguration: 'ON', SmsConfiguration: SMS_CONFIG } : {}),
    },
    clientOverrides: { ExplicitAuthFlows: FLOWS },
  });
}

async function makeUser(poolId, phone) {
  const username = unique('dev');
  await server.createConfirmedUser({
    poolId,
    username,
    password: PASSWORD,
    attributes: [
      { Name: 'email', Value: `${username}@example.com` },
      { Name: 'phone_number', Value: phone },
      { Name: 'phone_number_verified', Value: 'true' },
    ],
  });
  return username;
}

// Resolves with the first callback amazon-cognito-identity-js calls ({ kind, args }).
function step(start) {
  return new Promise((resolve, reject) => {
    const callbacks = { onFailure: reject };
    for (const kind of ['onSuccess', 'mfaRequired', 'totpRequired', 'selectMFAType', 'mfaSetup',
      'newPasswordRequired', 'customChallenge']) {
      callbacks[kind] = (...args) => resolve({ kind, args });
    }
    start(callbacks);
  });
}

test('identity-js: setDeviceStatusRemembered, then a sign-in that skips MFA by DEVICE_SRP_AUTH', async () => {
  const { poolId, clientId } = await devicePool({ mfa: true });
  const phone = '+12065550177';
  const username = await makeUser(poolId, phone);
  await server.admin.send(
    new AdminSetUserMFAPreferenceCommand({
      UserPoolId: poolId,
      Username: username,
      SMSMfaSettings: { Enabled: true, PreferredMfa: true },
    }),
  );
  const pool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: server.endpoint });
  const details = new AuthenticationDetails({ Username: username, Password: PASSWORD });

  // First sign-in: SMS MFA, then the library confirms the new device it was given.
  const user = new CognitoUser({ Username: username, Pool: pool });
  let r = await step((cb) => user.authenticateUser(details, cb));
  assert.equal(r.kind, 'mfaRequired');
  const { code } = await server.waitForCode({ poolId, destination: phone, purpose: 'mfa' });
  r = await step((cb) => user.sendMFACode(code, cb));
  assert.equal(r.kind, 'onSuccess');
  assert.equal(r.args[1], true, 'an opt-in pool asks the user whether to remember the device');
  const deviceKey = user.deviceKey;
  assert.ok(deviceKey, 'identity-js confirmed the new device');
  assert.equal(jwtPayload(r.args[0].getAccessToken().getJwtToken()).device_key, deviceKey);

  await new Promise((resolve, reject) =>
    user.setDeviceStatusRemembered({ onSuccess: resolve, onFailure: reject }),
  );
  const listed = await server.admin.send(
    new AdminListDevicesCommand({ UserPoolId: poolId, Username: username }),
  );
  assert.equal(listed.Devices.length, 1);
  assert.equal(listed.Devices[0].DeviceKey, deviceKey);
  const status = listed.Devices[0].DeviceAttributes.find(
    (a) => a.Name === 'dev:device_remembered_status',
  );
  assert.equal(status.Value, 'remembered');

  // Second sign-in on the same device (the library keeps its key and secret): no MFA code.
  const messages = server.countMessages({ poolId, destination: phone, purpose: 'mfa' });
  const again = new CognitoUser({ Username: username, Pool: pool });
  r = await step((cb) => again.authenticateUser(details, cb));
  assert.equal(r.kind, 'onSuccess', `expected sign-in without MFA, got ${r.kind}`);
  assert.equal(jwtPayload(r.args[0].getAccessToken().getJwtToken()).device_key, deviceKey);
  assert.equal(server.countMessages({ poolId, destination: phone, purpose: 'mfa' }), messages);

  // A device that is forgotten no longer skips MFA.
  await new Promise((resolve, reject) =>
    again.forgetDevice({ onSuccess: resolve, onFailure: reject }),
  );
  r = await step((cb) => new CognitoUser({ Username: username, Pool: pool }).authenticateUser(details, cb));
  assert.equal(r.kind, 'mfaRequired');
});

test('Amplify: rememberDevice, fetchDevices, forgetDevice', async () => {
  const { poolId, clientId } = await devicePool();
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
  const username = await makeUser(poolId, '+12065550188');
  assert.equal((await signIn({ username, password: PASSWORD })).isSignedIn, true);
  const session = await fetchAuthSession();
  const deviceKey = jwtPayload(session.tokens.accessToken.toString()).device_key;
  assert.ok(deviceKey, 'Amplify confirmed the new device');

  await rememberDevice();
  let devices = await fetchDevices();
  assert.equal(devices.length, 1);
  assert.equal(devices[0].id, deviceKey);
  assert.equal(devices[0].attributes['dev:device_remembered_status'], 'remembered');
  assert.ok(devices[0].createDate instanceof Date);

  await forgetDevice();
  devices = await fetchDevices();
  assert.deepEqual(devices, []);
  await signOut();
});
