// Trigger handlers of the customauth tests (tests/e2e/test_custom_auth.py, test_migration.py and
// tests/node/test/custom-auth.test.mjs), written exactly as AWS Lambda handlers are.
//
// A passwordless magic-code sign-in built only from the three custom-auth triggers:
//   defineAuthChallenge          SRP_A -> PASSWORD_VERIFIER -> CUSTOM_CHALLENGE when the client
//                                starts with SRP; otherwise CUSTOM_CHALLENGE until a right answer
//                                (tokens) or three wrong ones (failure).
//   createAuthChallenge          a 6-digit code (context.state.code when a test fixes it), "sent"
//                                to the user's e-mail; the hint is public, the code private.
//   verifyAuthChallengeResponse  answer === the code.
// Lazy migration from a legacy user store:
//   userMigration                knows LEGACY_USERS; a wrong password or an unknown user throws.
import crypto from 'node:crypto';

export const LEGACY_USERS = {
  'legacy.lee': { password: 'Legacy-Pass-1', email: 'lee@legacy.example', name: 'Lee Legacy' },
  'forgetful.fay': { password: 'Old-Pass-99', email: 'fay@legacy.example', name: 'Fay Forgetful' },
  'reset.rae': { password: 'Old-Pass-77', email: 'rae@legacy.example', name: 'Rae Reset' },
};

const MAX_WRONG_ANSWERS = 3;

export const defineAuthChallenge = async (event) => {
  const session = event.request.session;
  const last = session[session.length - 1];
  const wrong = session.filter(
    (s) => s.challengeName === 'CUSTOM_CHALLENGE' && s.challengeResult === false,
  ).length;
  if (event.request.userNotFound) {
    event.response.issueTokens = false;
    event.response.failAuthentication = wrong >= MAX_WRONG_ANSWERS;
    event.response.challengeName = 'CUSTOM_CHALLENGE';
  } else if (last && last.challengeName === 'SRP_A') {
    event.response.issueTokens = false;
    event.response.failAuthentication = false;
    event.response.challengeName = 'PASSWORD_VERIFIER';
  } else if (last && last.challengeName === 'CUSTOM_CHALLENGE' && last.challengeResult === true) {
    event.response.issueTokens = true;
    event.response.failAuthentication = false;
  } else if (wrong >= MAX_WRONG_ANSWERS) {
    event.response.issueTokens = false;
    event.response.failAuthentication = true;
  } else {
    event.response.issueTokens = false;
    event.response.failAuthentication = false;
    event.response.challengeName = 'CUSTOM_CHALLENGE';
  }
  return event;
};

export const createAuthChallenge = async (event, context) => {
  const code = context.state.code ?? String(crypto.randomInt(0, 1000000)).padStart(6, '0');
  const email = event.request.userAttributes.email ?? '';
  event.response.publicChallengeParameters = {
    email: email.replace(/^(.).*@/, '$1***@'),
    attempt: String(event.request.session.length + 1),
  };
  event.response.privateChallengeParameters = { code };
  event.response.challengeMetadata = `MAGIC_CODE-${event.request.session.length}`;
  return event;
};

export const verifyAuthChallengeResponse = async (event) => {
  event.response.answerCorrect =
    event.request.challengeAnswer === event.request.privateChallengeParameters.code;
  return event;
};

// A Define that always throws, one that answers something Cognito cannot read, one that never
// ends the sign-in (for the round limit).
export const defineThrows = async () => {
  throw new Error('the challenge service is down');
};
export const defineGarbage = async (event) => {
  event.response.issueTokens = 'maybe';
  return event;
};
export const defineForever = async (event) => {
  event.response.challengeName = 'CUSTOM_CHALLENGE';
  return event;
};

export const userMigration = async (event) => {
  const legacy = LEGACY_USERS[event.userName];
  if (!legacy) throw new Error('User not found');
  if (event.triggerSource === 'UserMigration_Authentication') {
    if (event.request.password !== legacy.password) throw new Error('Bad password');
    event.response.finalUserStatus = event.userName === 'reset.rae' ? 'RESET_REQUIRED' : 'CONFIRMED';
  }
  event.response.userAttributes = {
    email: legacy.email,
    email_verified: 'true',
    name: legacy.name,
  };
  event.response.messageAction = 'SUPPRESS';
  return event;
};
