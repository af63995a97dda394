// Starts the real cognate binary for one test file and hands out what a client app needs: the
// endpoint, an admin client (JS SDK v3, SigV4 with data/credentials), pools and app clients, and
// the one-time codes the server wrote to data/outbox.jsonl. Nothing here stands in for the server.
//
// Environment:
//   COGNATE_BIN          the binary (default ../../../build/src/app/cognate)
//   COGNATE_NODE_PG_DSN  postgres:// URL of a PostgreSQL server: each server gets a fresh database
//                        on it (created and dropped with psql); unset: SQLite in the data dir.
//   COGNATE_NODE_DATABASE  passed as --database as is (e.g. "memory"); overrides the above.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { NodeHttpHandler } from '@smithy/node-http-handler';

const here = path.dirname(fileURLToPath(import.meta.url));
export const binary =
  process.env.COGNATE_BIN ?? path.resolve(here, '../../../build/src/app/cognate');
export const REGION = 'us-east-1';
export const backend = process.env.COGNATE_NODE_PG_DSN ? 'postgres' : 'sqlite';

// Node 20 has fetch, crypto.getRandomValues / crypto.subtle and TextEncoder as globals, which is
// all Amplify v6 and amazon-cognito-identity-js need; older runtimes are refused outright rather
// than patched with stand-ins.
const major = Number(process.versions.node.split('.')[0]);
assert.ok(major >= 20, `node ${process.versions.node}: these tests need node >= 20`);
assert.equal(typeof globalThis.fetch, 'function', 'global fetch is missing');
assert.equal(typeof globalThis.crypto?.getRandomValues, 'function', 'global crypto is missing');

// The pinned SDK runs on node 20 but warns that releases after January 2027 need node 22;
// the lockfile keeps it pinned, so the warning is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// Reads one profile of an INI file (data/credentials) into an object.
export function readProfile(file, profile) {
  const out = {};
  let current = null;
  for (const raw of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = line.match(/^\[(.+)\]$/);
    if (section) {
      current = section[1].trim();
      continue;
    }
    const kv = line.match(/^([^=]+?)\s*=\s*(.*)$/);
    if (kv && current === profile) out[kv[1]] = kv[2];
  }
  return out;
}

// A unique name for pools and users: "<prefix>-<hex>".
export function unique(prefix) {
  return `${prefix}-${crypto.randomBytes(4).toString('hex')}`;
}

// postgres://user@host:port/anything -> the same server, database `name`.
function pgUrl(dsn, name) {
  const u = new URL(dsn);
  u.pathname = `/${name}`;
  return u.toString();
}

function psql(dsn, sql) {
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', dsn, '-c', sql], {
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: 60000,
  });
}

// A self-signed certificate for 127.0.0.1 made with the openssl CLI: { cert, key, pem }.
function makeCertificate(dir) {
  const cert = path.join(dir, 'tls-cert.pem');
  const key = path.join(dir, 'tls-key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  return { cert, key, pem: fs.readFileSync(cert, 'utf8') };
}

export class CognateServer {
  // options.tls: serve HTTPS with a fresh self-signed certificate (this.ca is its PEM).
  // options.args: extra command-line flags.
  // options.shareStoreOf: another (running) CognateServer whose data dir and database this one
  // uses too, as a second node; stop() leaves them to that server.
  constructor(options = {}) {
    this.options = options;
    this.proc = null;
    this.dataDir = null;
    this.database = null;
    this.endpoint = null;
    this.ca = null;
    this.log = '';
    this.clients = [];
  }

  async start() {
    if (this.options.shareStoreOf) {
      // A second node on the same store (same data dir, master key and database).
      const first = this.options.shareStoreOf;
      this.dataDir = first.dataDir;
      this.storeArgs = [...first.storeArgs];
      this.ownsStore = false;
    } else {
      this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cognate-node-'));
      this.ownsStore = true;
      // The settings naming the store: the server and `cognate keys` take the same ones.
      this.storeArgs = ['--data-dir', this.dataDir];
      if (process.env.COGNATE_NODE_DATABASE) {
        this.storeArgs.push('--database', process.env.COGNATE_NODE_DATABASE);
      } else if (process.env.COGNATE_NODE_PG_DSN) {
        const name = `cognate_node_${crypto.randomBytes(6).toString('hex')}`;
        psql(process.env.COGNATE_NODE_PG_DSN, `CREATE DATABASE "${name}"`);
        this.database = name;
        this.storeArgs.push('--database', pgUrl(process.env.COGNATE_NODE_PG_DSN, name));
      }
    }
    this.serverArgs = [];
    this.scheme = 'http';
    if (this.options.tls) {
      const tls = makeCertificate(this.dataDir);
      this.ca = tls.pem;
      this.serverArgs.push('--tls-cert', tls.cert, '--tls-key', tls.key);
      this.scheme = 'https';
    }
    this.serverArgs.push(...(this.options.args ?? []));
    const port = await this.spawn(0);
    this.endpoint = `${this.scheme}://127.0.0.1:${port}`;
    const creds = readProfile(path.join(this.dataDir, 'credentials'), 'cognate');
    assert.ok(creds.aws_access_key_id, 'data/credentials has no [cognate] aws_access_key_id');
    this.credentials = {
      accessKeyId: creds.aws_access_key_id,
      secretAccessKey: creds.aws_secret_access_key,
    };
    this.admin = this.sdkClient(this.credentials);
    return this;
  }

  // Starts the process on `port` (0: any free one); resolves with the port it logs.
  spawn(port) {
    const args = ['--port', String(port), ...this.storeArgs, ...this.serverArgs];
    return new Promise((resolve, reject) => {
      const proc = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      this.proc = proc;
      let log = '';
      let listening = false;
      const timer = setTimeout(() => {
        proc.kill('SIGKILL');
        reject(new Error(`cognate did not start within 30 s:\n${log}`));
      }, 30000);
      proc.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      const onExit = (code) => {
        clearTimeout(timer);
        reject(new Error(`cognate exited with ${code} before listening:\n${log}`));
      };
      proc.on('exit', onExit);
      proc.stderr.setEncoding('utf8');
      proc.stderr.on('data', (chunk) => {
        this.log += chunk;
        if (this.log.length > 1 << 20) this.log = this.log.slice(-(1 << 19));
        if (listening) return;
        log += chunk;
        const m = log.match(/listening on (127\.0\.0\.1|\[::1\]|localhost):(\d+)/);
        if (m) {
          listening = true;
          clearTimeout(timer);
          proc.removeListener('exit', onExit);
          resolve(Number(m[2]));
        }
      });
    });
  }

  // Stops the process (SIGTERM, then SIGKILL after 15 s); keeps the data dir and database.
  async stopProcess() {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
      const exited = new Promise((resolve) => this.proc.once('exit', resolve));
      this.proc.kill('SIGTERM');
      const timer = setTimeout(() => this.proc?.kill('SIGKILL'), 15000);
      await exited;
      clearTimeout(timer);
    }
    this.proc = null;
  }

  // Stops the process, runs `between` (e.g. a `cognate keys` command), starts it again on the
  // same port with the same store, so the endpoint and the issuer stay the same.
  async restart(between = async () => {}) {
    const port = Number(new URL(this.endpoint).port);
    await this.stopProcess();
    await between();
    assert.equal(await this.spawn(port), port);
  }

  // Runs `cognate keys <args...>` on this server's store; returns its stdout.
  keys(...args) {
    return execFileSync(binary, ['keys', ...args, ...this.storeArgs], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60000,
    });
  }

  // A JS SDK v3 client for this server; without credentials it signs with dummy ones (the
  // unsigned self-service and auth operations ignore the signature, as Cognito does).
  sdkClient(credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'unused' }) {
    const config = { endpoint: this.endpoint, region: REGION, maxAttempts: 1, credentials };
    if (this.ca) {
      config.requestHandler = new NodeHttpHandler({
        httpsAgent: new https.Agent({ ca: this.ca, keepAlive: true }),
      });
    }
    const client = new CognitoIdentityProviderClient(config);
    this.clients.push(client);
    return client;
  }

  async stop() {
    for (const c of this.clients) c.destroy();
    this.clients = [];
    await this.stopProcess();
    if (!this.ownsStore) {
      this.dataDir = null;
      return;
    }
    if (this.database) {
      try {
        psql(process.env.COGNATE_NODE_PG_DSN, `DROP DATABASE IF EXISTS "${this.database}" WITH (FORCE)`);
      } catch {
        // a leftover database in a throwaway PostgreSQL is harmless
      }
      this.database = null;
    }
    if (this.dataDir) fs.rmSync(this.dataDir, { recursive: true, force: true });
    this.dataDir = null;
  }

  // Every message in data/outbox.jsonl so far.
  outbox() {
    let text;
    try {
      text = fs.readFileSync(path.join(this.dataDir, 'outbox.jsonl'), 'utf8');
    } catch (err) {
      if (err.code === 'ENOENT') return [];
      throw err;
    }
    return text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l));
  }

  // Waits for the count+1-th message matching { poolId, username?, destination?, purpose? } and
  // returns it with `code`, the first run of 6 digits in its body. `count` is how many matching
  // messages the caller has already seen (so a second code is not mistaken for the first).
  async waitForCode({ poolId, username, destination, purpose, count = 0 }, timeoutMs = 5000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hits = this.outbox().filter(
        (m) =>
          m.pool_id === poolId &&
          (username === undefined || m.username === username) &&
          (destination === undefined || m.destination === destination) &&
          (purpose === undefined || m.purpose === purpose),
      );
      if (hits.length > count) {
        const m = hits[count];
        const code = (m.body ?? '').match(/\b(\d{6})\b/)?.[1];
        assert.ok(code, `no 6-digit code in the outbox message ${JSON.stringify(m)}`);
        return { ...m, code };
      }
      if (Date.now() > deadline) {
        throw new Error(
          `no outbox message for ${JSON.stringify({ poolId, username, destination, purpose })}` +
            ` (after ${count}); outbox: ${JSON.stringify(this.outbox())}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  // Number of outbox messages matching the filter (see waitForCode).
  countMessages({ poolId, username, destination, purpose }) {
    return this.outbox().filter(
      (m) =>
        m.pool_id === poolId &&
        (username === undefined || m.username === username) &&
        (destination === undefined || m.destination === destination) &&
        (purpose === undefined || m.purpose === purpose),
    ).length;
  }

  // A pool with e-mail as a verified sign-in attribute (the Amplify / hosted-UI default shape;
  // usernameAttributes null: plain usernames) and one public app client allowing SRP, password and
  // refresh flows, with PreventUserExistenceErrors ENABLED. Returns { poolId, clientId }.
  async createPoolAndClient({ usernameAttributes = ['email'], poolOverrides = {}, clientOverrides = {} } = {}) {
    const pool = await this.admin.send(
      new CreateUserPoolCommand({
        PoolName: unique('node'),
        ...(usernameAttributes ? { UsernameAttributes: usernameAttributes } : {}),
        AutoVerifiedAttributes: ['email'],
        Schema: [
          { Name: 'email', Required: true, AttributeDataType: 'String', Mutable: true },
        ],
        ...poolOverrides,
      }),
    );
    const poolId = pool.UserPool.Id;
    const client = await this.admin.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'app',
        ExplicitAuthFlows: [
          'ALLOW_USER_SRP_AUTH',
          'ALLOW_USER_PASSWORD_AUTH',
          'ALLOW_REFRESH_TOKEN_AUTH',
        ],
        PreventUserExistenceErrors: 'ENABLED',
        ...clientOverrides,
      }),
    );
    return { poolId, clientId: client.UserPoolClient.ClientId };
  }

  // A CONFIRMED user of `poolId` with a permanent `password` and the given attributes
  // ([{ Name, Value }]), made the way an administrator would: AdminCreateUser without a message,
  // then AdminSetUserPassword. Returns AdminCreateUser's User.
  async createConfirmedUser({ poolId, username, password, attributes = [] }) {
    const created = await this.admin.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: username,
        MessageAction: 'SUPPRESS',
        TemporaryPassword: password,
        UserAttributes: attributes,
      }),
    );
    await this.admin.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: poolId,
        Username: username,
        Password: password,
        Permanent: true,
      }),
    );
    return created.User;
  }
}

// The attributes of a verified e-mail address, for createConfirmedUser and AdminCreateUser.
export function verifiedEmail(email) {
  return [
    { Name: 'email', Value: email },
    { Name: 'email_verified', Value: 'true' },
  ];
}

// Starts a server (see CognateServer) and returns it.
export async function startServer(options = {}) {
  const server = new CognateServer(options);
  try {
    return await server.start();
  } catch (err) {
    await server.stop(); // no data dir or database left behind
    throw err;
  }
}

// The decoded payload of a JWT (no verification).
export function jwtPayload(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

// The decoded header of a JWT (no verification).
export function jwtHeader(token) {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
}
