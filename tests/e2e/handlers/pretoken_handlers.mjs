// PreTokenGeneration handlers for tests/e2e/test_pretoken.py and tests/node/test/pretoken.test.mjs,
// written the way real Lambda handlers are: they receive Cognito's event and return it with its
// `response` filled in. `context.state` (set by the tests through the lambda host) steers a few.

// V1_0: ID-token claims and a group override, as the Cognito docs' examples do.
export const v1Claims = async (event) => {
  event.response = {
    claimsOverrideDetails: {
      claimsToAddOrOverride: {
        tenant: 'acme',
        source: event.triggerSource,
        meta: event.request.clientMetadata?.app ?? 'none',
        email: 'overridden@example.com',
      },
      claimsToSuppress: ['given_name'],
      groupOverrideDetails: {
        groupsToOverride: [...event.request.groupConfiguration.groupsToOverride, 'from-trigger'],
        iamRolesToOverride: ['arn:aws:iam::123456789012:role/trigger'],
        preferredRole: 'arn:aws:iam::123456789012:role/trigger',
      },
    },
  };
  return event;
};

// V2_0 / V3_0: both tokens, rich claim values and scopes.
export const v2Claims = async (event, context) => {
  const suppressAdmin = context?.state?.suppressAdminScope === true;
  event.response = {
    claimsAndScopeOverrideDetails: {
      idTokenGeneration: {
        claimsToAddOrOverride: { plan: { tier: 'gold', seats: 5 }, source: event.triggerSource },
        claimsToSuppress: ['email'],
      },
      accessTokenGeneration: {
        claimsToAddOrOverride: {
          tenant: 'acme',
          roles: ['reader', 'writer'],
          beta: true,
          version: event.version,
        },
        claimsToSuppress: [],
        scopesToAdd: ['photos/read', 'photos/write'],
        scopesToSuppress: suppressAdmin ? ['aws.cognito.signin.user.admin'] : [],
      },
      groupOverrideDetails: { groupsToOverride: ['v2-group'] },
    },
  };
  return event;
};

// Tries every claim Cognito keeps to itself; only `allowed` may get through.
export const reserved = async (event) => {
  const evil = {};
  for (const name of ['sub', 'iss', 'aud', 'exp', 'iat', 'jti', 'auth_time', 'token_use',
    'origin_jti', 'event_id', 'cognito:username', 'cognito:groups', 'nonce', 'acr', 'amr',
    'identities', 'dev:custom:x']) {
    evil[name] = 'evil';
  }
  evil.allowed = 'yes';
  event.response = {
    claimsOverrideDetails: {
      claimsToAddOrOverride: evil,
      claimsToSuppress: ['sub', 'iss', 'aud', 'exp', 'token_use', 'cognito:username'],
    },
  };
  return event;
};

// Fails when the test says so (context.state.fail), else changes nothing.
export const failing = async (event, context) => {
  if (context?.state?.fail !== false) throw new Error('no tokens for you');
  return event;
};

// A response member of the wrong type.
export const garbage = async (event) => {
  event.response = { claimsOverrideDetails: { claimsToSuppress: 'email' } };
  return event;
};

// Returns the event untouched (Cognito issues the tokens it would have issued).
export const passthrough = async (event) => event;
