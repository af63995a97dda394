// Choice-based sign-in (AuthFlow USER_AUTH) through Amplify v6 and the JS SDK v3: signIn with
// authFlowType 'USER_AUTH' and an e-mail one-time code (preferred, and chosen from the first-factor
// selection), PASSWORD and PASSWORD_SRP as preferred and chosen factors, a wrong code corrected,
// and GetUserAuthFactors / AdminGetUserAuthFactors. Codes come from data/outbox.jsonl.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Amplify } from 'aws-amplify';
import { ConsoleLogger } from 'aws-amplify/utils';
import { confirmSignIn, fetchAuthSession, getCurrentUser, signIn, signOut } from 'aws-amplify/auth';
import {
  AdminGetUserAuthFactorsCommand,
  GetUserAuthFactorsCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { jwtPayload, startServer, unique, verifiedEmail } from '../lib/cognate.mjs';

ConsoleLogger.LOG_LEVEL = 'ERROR';

const PASSWORD = 'Choice#Based-1';
let server;
let anon;
let poolId;
let clientId;

before(async () => {
  server = await startServer();
  anon = server.sdkClient();
  ({ poolId, clientId } = await server.createPoolAndClient({
    poolOverrides: {
      Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } },
    },
    clientOverrides: {
      ExplicitAuthFlows: ['ALLOW_USER_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    },
  }));
  Amplify.configure({
    Auth: {
      Cognito: {
        userPoolId: poolId,
        userPoolClientId: clientId,
        userPoolEndpoint: server.endpoint,
        loginWith: { email: true },
      },
    },
  });
});

after(async () => {
  await signOut().catch(() => {});
  await server?.stop();
});

// A confirmed user with a verified e-mail address and PASSWORD. Returns { email, sub }.
async function makeUser() {
  const email = `${unique('choice')}@example.com`;
  const user = await server.createConfirmedUser({
    poolId,
    username: email,
    password: PASSWORD,
    attributes: verifiedEmail(email),
  });
  const sub = user.Attributes.find((a) => a.Name === 'sub').Value;
  return { email, sub };
}

async function signedInSub() {
  const session = await fetchAuthSession();
  const sub = jwtPayload(session.tokens.accessToken.toString()).sub;
  await signOut();
  return sub;
}

test("signIn with authFlowType 'USER_AUTH' and an e-mail code (preferred)", async () => {
  const { email, sub } = await makeUser();
  const seen = server.countMessages({ poolId, destination: email, purpose: 'sign_in_code' });
  const started = await signIn({
    username: email,
    options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' },
  });
  assert.equal(started.isSignedIn, false);
  assert.equal(started.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
  assert.equal(started.nextStep.codeDeliveryDetails.deliveryMedium, 'EMAIL');
  assert.match(started.nextStep.codeDeliveryDetails.destination, /^c\*\*\*@e\*\*\*/);
  const { code } = await server.waitForCode({ poolId, destination: email, count: seen });

  // A wrong code is refused and may be corrected.
  const wrong = code === '000000' ? '111111' : '000000';
  await assert.rejects(confirmSignIn({ challengeResponse: wrong }), (err) => {
    assert.equal(err.name, 'CodeMismatchException');
    return true;
  });
  const done = await confirmSignIn({ challengeResponse: code });
  assert.equal(done.isSignedIn, true);
  assert.equal(done.nextStep.signInStep, 'DONE');
  assert.equal((await getCurrentUser()).userId, sub);
  assert.equal(await signedInSub(), sub);
});

test('first-factor selection: EMAIL_OTP, then PASSWORD_SRP and PASSWORD', async () => {
  const { email, sub } = await makeUser();
  let step = await signIn({ username: email, options: { authFlowType: 'USER_AUTH' } });
  assert.equal(step.nextStep.signInStep, 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION');
  assert.deepEqual(step.nextStep.availableChallenges, ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP']);
  step = await confirmSignIn({ challengeResponse: 'EMAIL_OTP' });
  assert.equal(step.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
  const { code } = await server.waitForCode({ poolId, destination: email });
  assert.equal((await confirmSignIn({ challengeResponse: code })).isSignedIn, true);
  assert.equal(await signedInSub(), sub);

  for (const factor of ['PASSWORD_SRP', 'PASSWORD']) {
    step = await signIn({ username: email, options: { authFlowType: 'USER_AUTH' } });
    step = await confirmSignIn({ challengeResponse: factor });
    assert.equal(step.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_PASSWORD');
    step = await confirmSignIn({ challengeResponse: PASSWORD });
    assert.equal(step.isSignedIn, true, factor);
    assert.equal(await signedInSub(), sub);
  }
});

test('PASSWORD and PASSWORD_SRP as the preferred challenge sign in at once', async () => {
  const { email, sub } = await makeUser();
  for (const preferredChallenge of ['PASSWORD', 'PASSWORD_SRP']) {
    const done = await signIn({
      username: email,
      password: PASSWORD,
      options: { authFlowType: 'USER_AUTH', preferredChallenge },
    });
    assert.equal(done.isSignedIn, true, preferredChallenge);
    assert.equal(await signedInSub(), sub);
  }
  await assert.rejects(
    signIn({
      username: email,
      password: 'Wrong#Password-1',
      options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD' },
    }),
    (err) => {
      assert.equal(err.name, 'NotAuthorizedException');
      assert.equal(err.message, 'Incorrect username or password.');
      return true;
    },
  );
});

test('GetUserAuthFactors and AdminGetUserAuthFactors', async () => {
  const { email, sub } = await makeUser();
  const auth = await anon.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_AUTH',
      AuthParameters: { USERNAME: email, PREFERRED_CHALLENGE: 'PASSWORD', PASSWORD },
    }),
  );
  const factors = await anon.send(
    new GetUserAuthFactorsCommand({ AccessToken: auth.AuthenticationResult.AccessToken }),
  );
  assert.equal(factors.Username, sub); // e-mail is the username attribute: the username is the sub
  assert.deepEqual(factors.ConfiguredUserAuthFactors, ['PASSWORD', 'EMAIL_OTP']);
  const admin = await server.admin.send(
    new AdminGetUserAuthFactorsCommand({ UserPoolId: poolId, Username: email }),
  );
  assert.deepEqual(admin.ConfiguredUserAuthFactors, ['PASSWORD', 'EMAIL_OTP']);
  assert.equal(admin.Username, sub);
});
