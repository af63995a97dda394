#!/usr/bin/env node
// Runs real Cognito SRP client code against a server challenge, for
// tests/node-crypto/srp_node_check:
//   "client":"npm" (default): amazon-cognito-identity-js (AuthenticationHelper + DateHelper, the
//     code CognitoUser.authenticateUser runs);
//   "client":"amplify": Amplify v6 (@aws-amplify/auth's internal srp/ helpers, as its
//     handlePasswordVerifierChallenge / handleDeviceSRPAuth use them).
//
// stdin (JSON): one request or an array of requests (answered in order); a request is one of:
//   {"mode":"claim","client":..,"poolName":..,"username":..,"password":..,"srpB":<hex>,
//    "salt":<hex>,"secretBlock":<base64>, "smallA":<hex, optional, npm only>,
//    "timestamp":<optional override>}
//     -> {"srpA":<hex>,"timestamp":..,"signature":<base64>}
//   {"mode":"deviceVerifier","client":..,"deviceGroupKey":..,"deviceKey":..}
//     -> {"password":..,"salt":<hex>,"verifier":<hex>}   (what ConfirmDevice sends)
'use strict';
const { Buffer } = require('buffer');
const AuthenticationHelper = require('amazon-cognito-identity-js/lib/AuthenticationHelper').default;
const DateHelper = require('amazon-cognito-identity-js/lib/DateHelper').default;
const BigInteger = require('amazon-cognito-identity-js/lib/BigInteger').default;
const { Sha256 } = require('@aws-crypto/sha256-js');
const path = require('path');

// Amplify v6 does not export its SRP helpers; load them by file path (the package's "exports" map
// only restricts bare specifiers).
function amplifySrp() {
  const base = path.join(__dirname,
    'node_modules/@aws-amplify/auth/dist/cjs/providers/cognito/utils/srp');
  return {
    srp: require(base),
    BigInteger: require(path.join(base, 'BigInteger')).BigInteger,
  };
}

async function amplify(input) {
  const { srp, BigInteger: BI } = amplifySrp();
  if (input.mode === 'deviceVerifier') {
    const helper = await srp.getAuthenticationHelper(input.deviceGroupKey);
    await helper.generateHashDevice(input.deviceGroupKey, input.deviceKey);
    return {
      password: helper.getRandomPassword(),
      salt: helper.getSaltToHashDevices(),
      verifier: helper.getVerifierDevices(),
    };
  }
  const helper = await srp.getAuthenticationHelper(input.poolName);
  const hkdf = await helper.getPasswordAuthenticationKey({
    username: input.username,
    password: input.password,
    serverBValue: new BI(input.srpB, 16),
    salt: new BI(input.salt, 16),
  });
  const dateNow = input.timestamp || srp.getNowString();
  const signature = srp.getSignatureString({
    userPoolName: input.poolName,
    username: input.username,
    challengeParameters: { SECRET_BLOCK: input.secretBlock },
    dateNow,
    hkdf,
  });
  return { srpA: helper.A.toString(16), timestamp: dateNow, signature };
}

// amazon-cognito-identity-js: its callbacks run synchronously; wrapped in a promise.
function npm(input) {
  return new Promise((resolve, reject) => {
    if (input.mode === 'deviceVerifier') {
      const helper = new AuthenticationHelper(input.deviceGroupKey);
      helper.generateHashDevice(input.deviceGroupKey, input.deviceKey, (err) => {
        if (err) return reject(err);
        resolve({
          password: helper.getRandomPassword(),
          salt: helper.getSaltDevices(),
          verifier: helper.getVerifierDevices(),
        });
      });
      return;
    }
    const helper = new AuthenticationHelper(input.poolName);
    if (input.smallA) {
      helper.smallAValue = new BigInteger(input.smallA, 16);
      helper.largeAValue = undefined;
    }
    helper.getLargeAValue((errA, aValue) => {
      if (errA) return reject(errA);
      const srpA = aValue.toString(16);
      // As CognitoUser.authenticateUserDefaultAuth does with the InitiateAuth response.
      const serverB = new BigInteger(input.srpB, 16);
      const salt = new BigInteger(input.salt, 16);
      helper.getPasswordAuthenticationKey(input.username, input.password, serverB, salt,
        (errK, hkdf) => {
          if (errK) return reject(errK);
          const timestamp = input.timestamp || new DateHelper().getNowString();
          const msg = Buffer.concat([
            Buffer.from(input.poolName, 'utf8'),
            Buffer.from(input.username, 'utf8'),
            Buffer.from(input.secretBlock, 'base64'),
            Buffer.from(timestamp, 'utf8'),
          ]);
          const mac = new Sha256(hkdf);
          mac.update(msg);
          const signature = Buffer.from(mac.digestSync()).toString('base64');
          resolve({ srpA, timestamp, signature });
        });
    });
  });
}

// One request object, or an array of them (answered by an array, in order).
async function main(input) {
  const run = (req) => (req.client === 'amplify' ? amplify(req) : npm(req));
  if (Array.isArray(input)) {
    const results = [];
    for (const req of input) results.push(await run(req));
    return results;
  }
  return run(input);
}

let data = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => { data += c; });
process.stdin.on('end', () => {
  Promise.resolve()
    .then(() => main(JSON.parse(data)))
    .then((result) => process.stdout.write(JSON.stringify(result) + '\n'))
    .catch((e) => {
      process.stderr.write(String(e && e.stack || e) + '\n');
      process.exit(1);
    });
});
