// Trigger functions for node tests: hosts a module of Lambda-style handlers in this process
// (tests/triggers/lambda_host.mjs) so a pool's LambdaConfig can point at them.
//   const host = await startHandlers('../../e2e/handlers/customauth_handlers.mjs');
//   LambdaConfig: { DefineAuthChallenge: host.url('defineAuthChallenge'), ... }
//   host.events('defineAuthChallenge') → the events received; await host.close() at the end.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLambdaHost } from '../../triggers/lambda_host.mjs';

export { createLambdaHost, verifySignature } from '../../triggers/lambda_host.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

// `modulePath` is relative to tests/node/lib (or absolute).
export async function startHandlers(modulePath) {
  const handlers = await import(pathToFileURL(path.resolve(here, modulePath)).href);
  return createLambdaHost(handlers);
}
