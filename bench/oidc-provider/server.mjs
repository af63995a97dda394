// npm oidc-provider configured for the grants bench/token_bench.py measures, the way Cognate
// issues them: client_credentials with an RS256 JWT access token (custom scope of a resource
// server), and refresh_token returning a new RS256 ID token and RS256 JWT access token (the
// refresh token itself not rotated, as Cognito's default). In-memory adapter, no logging.
//
//   node server.mjs PORT        prints one line of JSON {"port", "client_id", "client_secret",
//                               "refresh_token"} once it listens, then serves until killed.

import crypto from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.argv[2] || 0);
const issuer = `http://127.0.0.1:${port}`;
const RESOURCE = 'https://api.bench.example';

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'RS256', kid: 'bench' };

const client = {
  client_id: 'bench-client',
  client_secret: 'bench-secret-0123456789abcdefghijklmnopqrstuvwxyz',
  grant_types: ['client_credentials', 'refresh_token', 'authorization_code'],
  response_types: ['code'],
  redirect_uris: ['https://app.example/cb'],
  token_endpoint_auth_method: 'client_secret_basic',
  id_token_signed_response_alg: 'RS256',
  scope: 'openid offline_access read write',
};

const provider = new Provider(issuer, {
  clients: [client],
  jwks: { keys: [jwk] },
  findAccount: async (_ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub, email: `${sub}@bench.example` }),
  }),
  claims: { openid: ['sub'], email: ['email'] },
  scopes: ['openid', 'offline_access', 'read', 'write'],
  features: {
    clientCredentials: { enabled: true },
    devInteractions: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'read write',
        accessTokenFormat: 'jwt',
        accessTokenTTL: 3600,
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  rotateRefreshToken: false,
  ttl: { AccessToken: 3600, ClientCredentials: 3600, IdToken: 3600, RefreshToken: 30 * 86400,
         Grant: 30 * 86400 },
});
provider.proxy = false;

// A refresh token as an authorization-code sign-in would leave it (grant, scopes, resource).
async function mintRefreshToken() {
  const accountId = 'bench-user';
  const grant = new provider.Grant({ accountId, clientId: client.client_id });
  grant.addOIDCScope('openid offline_access');
  grant.addResourceScope(RESOURCE, 'read');
  const grantId = await grant.save();
  const clientObj = await provider.Client.find(client.client_id);
  const rt = new provider.RefreshToken({
    accountId,
    client: clientObj,
    grantId,
    gty: 'authorization_code',
    scope: 'openid offline_access read',
    resource: RESOURCE,
    authTime: Math.floor(Date.now() / 1000),
    claims: {},
    rotations: 0,
  });
  return rt.save();
}

const server = http.createServer(provider.callback());
server.listen(port, '127.0.0.1', async () => {
  const refresh = await mintRefreshToken();
  process.stdout.write(`${JSON.stringify({
    port: server.address().port,
    client_id: client.client_id,
    client_secret: client.client_secret,
    refresh_token: refresh,
  })}\n`);
});
