// Lambda-style handlers for tests/e2e/test_triggers.py (hosted by tests/triggers/lambda_host.mjs).
// Written the way Cognito trigger handlers are: `async (event) => { ...; return event; }`.
// What they decide comes from `context.state` (set by the test before each call).
import { createDecipheriv } from 'node:crypto';

// PreSignUp: state.preSignUp = {autoConfirmUser, autoVerifyEmail, autoVerifyPhone, reject}.
export const preSignUp = async (event, context) => {
  const s = context.state.preSignUp ?? {};
  if (s.reject) throw new Error(s.reject);
  if (s.autoConfirmUser) event.response.autoConfirmUser = true;
  if (s.autoVerifyEmail) event.response.autoVerifyEmail = true;
  if (s.autoVerifyPhone) event.response.autoVerifyPhone = true;
  return event;
};

// A PreSignUp answering with a response member of the wrong type.
export const preSignUpBadType = async (event) => {
  event.response.autoConfirmUser = 'yes';
  return event;
};

export const postConfirmation = async (event, context) => {
  if (context.state.postConfirmationFails) throw new Error('welcome e-mail failed');
  return event;
};

// PreAuthentication: refuses the user named in state.blocked.
export const preAuthentication = async (event, context) => {
  if (event.userName === context.state.blocked) throw new Error('User is blocked');
  return event;
};

export const postAuthentication = async (event) => event;

// CustomMessage: a recognisable text per trigger source, keeping Cognito's placeholders.
export const customMessage = async (event) => {
  const source = event.triggerSource.replace('CustomMessage_', '');
  const code = event.request.codeParameter;
  if (event.triggerSource === 'CustomMessage_AdminCreateUser') {
    event.response.emailSubject = 'Welcome aboard';
    event.response.emailMessage = `Hi ${event.request.usernameParameter}, your password is ${code}`;
    event.response.smsMessage = `Hi ${event.request.usernameParameter}: ${code}`;
  } else {
    event.response.emailSubject = `[${source}] for ${event.userName}`;
    event.response.emailMessage = `[${source}] code ${code}`;
    event.response.smsMessage = `[${source}] ${code}`;
  }
  return event;
};

// A CustomMessage whose texts lack the code placeholder: Cognito keeps its own text.
export const customMessageNoCode = async (event) => {
  event.response.emailMessage = 'no code in here';
  event.response.emailSubject = 'Subject kept';
  return event;
};

function decrypt(code, keyBase64) {
  const raw = Buffer.from(code, 'base64');
  const key = Buffer.from(keyBase64, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()])
    .toString('utf8');
}

// The custom senders decrypt the code (docs/operating.md) and refuse a code other than
// state.expectCode, so a successful API call proves the code arrived intact.
async function customSender(event, context) {
  const plain = decrypt(event.request.code, context.state.kmsKey);
  if (context.state.expectCode !== undefined && plain !== context.state.expectCode) {
    throw new Error(`unexpected code ${plain}`);
  }
  return event;
}

export const customEmailSender = customSender;
export const customSmsSender = customSender;

// A one-question custom sign-in, to see Pre/PostAuthentication around CUSTOM_AUTH.
export const defineAuthChallenge = async (event) => {
  const last = event.request.session.at(-1);
  if (last?.challengeName === 'CUSTOM_CHALLENGE' && last.challengeResult) {
    event.response.issueTokens = true;
    event.response.failAuthentication = false;
  } else if (event.request.session.length >= 3) {
    event.response.issueTokens = false;
    event.response.failAuthentication = true;
  } else {
    event.response.challengeName = 'CUSTOM_CHALLENGE';
    event.response.issueTokens = false;
    event.response.failAuthentication = false;
  }
  return event;
};

export const createAuthChallenge = async (event) => {
  event.response.publicChallengeParameters = { question: 'six times seven?' };
  event.response.privateChallengeParameters = { answer: '42' };
  event.response.challengeMetadata = 'QUESTION';
  return event;
};

export const verifyAuthChallengeResponse = async (event) => {
  event.response.answerCorrect =
    event.request.challengeAnswer === event.request.privateChallengeParameters.answer;
  return event;
};

// CustomMessage for CONFIRM_WITH_LINK pools: the link placeholder Cognito passes.
export const customMessageLink = async (event) => {
  event.response.emailSubject = 'Confirm your account';
  event.response.emailMessage = `Welcome! ${event.request.linkParameter}`;
  return event;
};

// UserMigration: a legacy user "<name>" with password "Legacy-Passw0rd!" and a welcome message.
export const userMigration = async (event) => {
  if (event.request.password !== 'Legacy-Passw0rd!') throw new Error('Bad password');
  event.response.userAttributes = {
    email: `${event.userName}@example.com`,
    email_verified: 'true',
  };
  event.response.finalUserStatus = 'CONFIRMED';
  event.response.messageAction = 'RESEND';
  event.response.desiredDeliveryMediums = ['EMAIL'];
  return event;
};
