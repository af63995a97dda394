#!/usr/bin/env node
// Prints the fixed SRP vectors embedded in src/crypto/srp_test.cc, computed by the real
// amazon-cognito-identity-js code (verifier via generateHashDevice's formula with a fixed salt,
// signature via getPasswordAuthenticationKey). Run: node make_vectors.js
'use strict';
const { Buffer } = require('buffer');
const AuthenticationHelper = require('amazon-cognito-identity-js/lib/AuthenticationHelper').default;
const BigInteger = require('amazon-cognito-identity-js/lib/BigInteger').default;
const { Sha256 } = require('@aws-crypto/sha256-js');

const poolName = 'AbCdEf123';
const username = 'b3f2c1d0-1111-4222-8333-944455556666';
const password = 'Passw0rd!';
const saltHex = '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const smallA = 'a1'.repeat(128);
const smallB = '7b'.repeat(32);
const secretBlock = Buffer.from('opaque secret block \x00\x01\x02').toString('base64');
const timestamp = 'Tue Nov 3 08:07:00 UTC 2026';

const h = new AuthenticationHelper(poolName);
const salt = new BigInteger(saltHex, 16);
// v = g^x, x = H(pad(salt) | H(pool | user ":" pass)), the formula of generateHashDevice.
const x = new BigInteger(h.hexHash(h.padHex(salt) + h.hash(`${poolName}${username}:${password}`)), 16);
h.g.modPow(x, h.N, (e1, v) => {
  const b = new BigInteger(smallB, 16);
  h.g.modPow(b, h.N, (e2, gb) => {
    const B = h.k.multiply(v).add(gb).mod(h.N);
    h.smallAValue = new BigInteger(smallA, 16);
    h.largeAValue = undefined;
    h.getLargeAValue((e3, A) => {
      h.getPasswordAuthenticationKey(username, password, B, salt, (e4, hkdf) => {
        const mac = new Sha256(hkdf);
        mac.update(Buffer.concat([Buffer.from(poolName), Buffer.from(username),
          Buffer.from(secretBlock, 'base64'), Buffer.from(timestamp)]));
        console.log(JSON.stringify({
          poolName, username, password, saltHex, smallA, smallB, secretBlock, timestamp,
          k: h.k.toString(16), verifier: v.toString(16), srpB: B.toString(16), srpA: A.toString(16),
          u: h.UValue.toString(16), hkdf: Buffer.from(hkdf).toString('hex'),
          signature: Buffer.from(mac.digestSync()).toString('base64'),
        }, null, 1));
      });
    });
  });
});
