// Hosts Lambda-style trigger handlers over HTTP, the way Cognate calls triggers (see
// docs/operating.md "Triggers"): POST /<name> runs the handler exported as <name> with the event
// and answers with what it returns; a thrown error answers like Lambda's Invoke API does
// (X-Amz-Function-Error: Unhandled, {"errorMessage", "errorType"}).
//
// Handlers are written exactly as for AWS Lambda:
//   export const preSignUp = async (event, context) => { event.response.autoConfirmUser = true; return event; };
// `context.state` is shared test state (PUT /_state), `context.functionName` the handler's name.
//
// Test-only routes: GET /_events[/<name>] (events received, oldest first), DELETE /_events,
// PUT /_state (JSON), PUT /_secret (text: the HMAC key; then bad signatures are refused),
// POST /_garbage (answers non-JSON), POST /_sleep?ms=N (answers the event after N ms),
// POST /_status?code=N (answers HTTP N with an empty body).
//
// CLI: node lambda_host.mjs <handlers.mjs> [port]  → prints "LISTENING <port>" once ready.
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

// Checks X-Cognate-Signature: "v1=" + hex HMAC-SHA256(secret, timestamp + "." + body). This is
// how a production handler should authenticate calls (and also reject stale timestamps).
export function verifySignature(secret, headers, body, maxSkewSeconds = 300) {
  const timestamp = headers['x-cognate-timestamp'];
  const signature = headers['x-cognate-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > maxSkewSeconds) return false;
  const expected =
    'v1=' + crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  const a = Buffer.from(expected);
  const b = Buffer.from(signature);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(text);
}

// Returns a started host: { port, url(name), close() } plus the test hooks as methods.
export async function createLambdaHost(handlers, { port = 0 } = {}) {
  const events = []; // { name, event, signed, receivedAt }
  let state = {};
  let secret = null;
  let requestCount = 0;

  const server = http.createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://host');
      const body = await readBody(req);
      const parts = url.pathname.split('/').filter(Boolean);
      if (parts[0] === '_events') {
        if (req.method === 'DELETE') {
          events.length = 0;
          return send(res, 200, {});
        }
        const list = parts[1] ? events.filter((e) => e.name === parts[1]) : events;
        return send(res, 200, list);
      }
      if (parts[0] === '_state' && req.method === 'PUT') {
        state = body ? JSON.parse(body) : {};
        return send(res, 200, {});
      }
      if (parts[0] === '_secret' && req.method === 'PUT') {
        secret = body || null;
        return send(res, 200, {});
      }
      if (req.method !== 'POST' || parts.length !== 1) return send(res, 404, { message: 'no route' });

      const name = parts[0];
      const signed = secret === null ? null : verifySignature(secret, req.headers, body);
      if (signed === false) {
        return send(res, 401, { errorMessage: 'bad signature', errorType: 'Unauthorized' });
      }
      let event;
      try {
        event = JSON.parse(body);
      } catch {
        return send(res, 400, { errorMessage: 'event is not JSON', errorType: 'BadRequest' });
      }
      // A copy: handlers change the event they are given.
      events.push({ name, event: structuredClone(event), signed, receivedAt: Date.now() });

      if (name === '_garbage') return send(res, 200, '<html>not json</html>');
      if (name === '_sleep') {
        await new Promise((r) => setTimeout(r, Number(url.searchParams.get('ms') ?? 10000)));
        return send(res, 200, event);
      }
      if (name === '_status') return send(res, Number(url.searchParams.get('code') ?? 500), '');

      const handler = handlers[name];
      if (typeof handler !== 'function') {
        return send(res, 404, { errorMessage: `no handler ${name}`, errorType: 'NotFound' });
      }
      const context = { functionName: name, awsRequestId: `req-${++requestCount}`, state };
      try {
        const result = await handler(event, context);
        return send(res, 200, result === undefined ? 'null' : JSON.stringify(result));
      } catch (err) {
        return send(
          res,
          200,
          { errorMessage: String(err?.message ?? err), errorType: err?.name ?? 'Error' },
          { 'X-Amz-Function-Error': 'Unhandled' },
        );
      }
    } catch (err) {
      send(res, 500, { errorMessage: `host failure: ${err}`, errorType: 'HostError' });
    }
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = server.address().port;
  return {
    port: actual,
    url: (name) => `http://127.0.0.1:${actual}/${name}`,
    events: (name) => (name ? events.filter((e) => e.name === name) : events).map((e) => e.event),
    records: () => events.slice(),
    clear: () => {
      events.length = 0;
    },
    setState: (s) => {
      state = s;
    },
    setSecret: (s) => {
      secret = s;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [modulePath, portArg] = process.argv.slice(2);
  if (!modulePath) {
    console.error('usage: node lambda_host.mjs <handlers.mjs> [port]');
    process.exit(2);
  }
  const handlers = await import(pathToFileURL(path.resolve(modulePath)).href);
  const host = await createLambdaHost(handlers, { port: Number(portArg ?? 0) });
  process.stdout.write(`LISTENING ${host.port}\n`);
  const stop = async () => {
    await host.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
