// Handlers for test_trigger_transport.py: how any trigger reaches its function and how the
// function's failures reach the API caller. Written as Lambda handlers are.

// Accepts the sign-up and confirms it, so a test can see the handler's answer took effect.
export const confirmAll = async (event) => {
  event.response.autoConfirmUser = true;
  return event;
};

// Refuses the sign-up the way real pre-sign-up functions do: by throwing.
export const rejectDomain = async (event) => {
  const email = event.request.userAttributes.email ?? '';
  if (!email.endsWith('@example.com')) {
    throw new Error(`Domain of ${email} is not allowed`);
  }
  return event;
};

// Returns nothing at all (a common bug): Cognito calls that unrecognizable output.
export const returnsNothing = async () => undefined;
