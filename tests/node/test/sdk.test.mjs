// Drives the real cognate binary with @aws-sdk/client-cognito-identity-provider (JS SDK v3):
// custom endpoint, credentials from data/credentials, SigV4 as the SDK signs it.
// lib/cognate.mjs starts the server (COGNATE_BIN; COGNATE_NODE_PG_DSN for PostgreSQL).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolCommand,
  ListUsersCommand,
  ResourceNotFoundException,
  UserNotFoundException,
  paginateListUsers,
} from '@aws-sdk/client-cognito-identity-provider';
import { startServer } from '../lib/cognate.mjs';

let server;
let client;

before(async () => {
  server = await startServer();
  client = server.admin;
});

after(async () => {
  await server?.stop();
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
