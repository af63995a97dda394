// Drives the real cognate binary with @aws-sdk/client-cognito-identity-provider (JS SDK v3):
// custom endpoint, credentials from data/credentials, SigV4 as the SDK signs it.
// COGNATE_BIN names the binary (default: ../../build/src/app/cognate).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ListUsersCommand,
  ResourceNotFoundException,
  UserNotFoundException,
  paginateListUsers,
} from '@aws-sdk/client-cognito-identity-provider';

const here = path.dirname(fileURLToPath(import.meta.url));
const binary =
  process.env.COGNATE_BIN ?? path.resolve(here, '../../../build/src/app/cognate');

let server;
let dataDir;
let client;

// Reads one profile of an INI file (data/credentials) into an object.
function readProfile(file, profile) {
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

// Starts the binary on a free port and resolves with its endpoint once it logs "listening".
function startServer(dir) {
  return new Promise((resolve, reject) => {
    const proc = spawn(binary, ['--port', '0', '--data-dir', dir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`cognate did not start within 30 s:\n${log}`));
    }, 30000);
    proc.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cognate exited with ${code} before listening:\n${log}`));
    });
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (chunk) => {
      log += chunk;
      const m = log.match(/listening on (127\.0\.0\.1|\[::1\]|localhost):(\d+)/);
      if (m) {
        clearTimeout(timer);
        proc.removeAllListeners('exit');
        resolve({ proc, endpoint: `http://127.0.0.1:${m[2]}` });
      }
    });
  });
}

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cognate-node-'));
  server = await startServer(dataDir);
  const creds = readProfile(path.join(dataDir, 'credentials'), 'cognate');
  assert.ok(creds.aws_access_key_id, 'data/credentials has no [cognate] aws_access_key_id');
  client = new CognitoIdentityProviderClient({
    endpoint: server.endpoint,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: {
      accessKeyId: creds.aws_access_key_id,
      secretAccessKey: creds.aws_secret_access_key,
    },
  });
});

after(() => {
  client?.destroy();
  if (server) {
    server.proc.kill('SIGTERM');
  }
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

test('pool, client, user and ListUsers through the JS SDK v3', async () => {
  const pool = await client.send(
    new CreateUserPoolCommand({
      PoolName: 'node-sdk',
      UsernameAttributes: ['email'],
      Schema: [{ Name: 'email', Required: true, AttributeDataType: 'String', Mutable: true }],
    }),
  );
  const poolId = pool.UserPool.Id;
  assert.match(poolId, /^us-east-1_[0-9A-Za-z]+$/);
  assert.ok(pool.$metadata.requestId, 'x-amzn-RequestId is exposed as $metadata.requestId');

  const described = await client.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
  assert.equal(described.UserPool.Name, 'node-sdk');
  assert.ok(described.UserPool.CreationDate instanceof Date);

  const appClient = await client.send(
    new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'web' }),
  );
  assert.equal(appClient.UserPoolClient.UserPoolId, poolId);
  assert.match(appClient.UserPoolClient.ClientId, /^[\w+]+$/);

  for (const email of ['ada@example.com', 'alan@example.com', 'grace@example.com']) {
    const created = await client.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: email,
        UserAttributes: [{ Name: 'email', Value: email }],
        MessageAction: 'SUPPRESS',
      }),
    );
    assert.equal(created.User.UserStatus, 'FORCE_CHANGE_PASSWORD');
  }

  const user = await client.send(
    new AdminGetUserCommand({ UserPoolId: poolId, Username: 'ada@example.com' }),
  );
  const attrs = Object.fromEntries(user.UserAttributes.map((a) => [a.Name, a.Value]));
  assert.equal(attrs.email, 'ada@example.com');
  assert.ok(attrs.sub);

  const filtered = await client.send(
    new ListUsersCommand({ UserPoolId: poolId, Filter: 'email ^= "a"' }),
  );
  const emails = filtered.Users.map(
    (u) => u.Attributes.find((a) => a.Name === 'email').Value,
  ).sort();
  assert.deepEqual(emails, ['ada@example.com', 'alan@example.com']);

  const seen = [];
  for await (const page of paginateListUsers(
    { client, pageSize: 1 },
    { UserPoolId: poolId },
  )) {
    seen.push(...page.Users.map((u) => u.Username));
  }
  assert.equal(seen.length, 3);
  assert.equal(new Set(seen).size, 3);
});

test('errors arrive as modelled exception classes', async () => {
  await assert.rejects(
    client.send(new DescribeUserPoolCommand({ UserPoolId: 'us-east-1_doesnotexist' })),
    (err) => err instanceof ResourceNotFoundException && err.name === 'ResourceNotFoundException',
  );
  const pool = await client.send(new CreateUserPoolCommand({ PoolName: 'node-errors' }));
  await assert.rejects(
    client.send(new AdminGetUserCommand({ UserPoolId: pool.UserPool.Id, Username: 'nobody' })),
    (err) => err instanceof UserNotFoundException && err.message === 'User does not exist.',
  );
});
