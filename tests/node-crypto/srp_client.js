#!/usr/bin/env node
// Runs the real amazon-cognito-identity-js SRP client (AuthenticationHelper + DateHelper, the code
// CognitoUser.authenticateUser runs) against a server challenge, for tests/node-crypto/srp_node_check.
//
// stdin (JSON), one of:
//   {"mode":"claim","poolName":..,"username":..,"password":..,"srpB":<hex>,"salt":<hex>,
//    "secretBlock":<base64>, "smallA":<hex, optional>, "timestamp":<optional override>}
//     -> {"srpA":<hex>,"timestamp":..,"signature":<base64>}
//   {"mode":"deviceVerifier","deviceGroupKey":..,"deviceKey":..}
//     -> {"password":..,"salt":<hex>,"verifier":<hex>}   (what ConfirmDevice sends)
'use strict';
const { Buffer } = require('buffer');
const AuthenticationHelper = require('amazon-cognito-identity-js/lib/AuthenticationHelper').default;
const DateHelper = require('amazon-cognito-identity-js/lib/DateHelper').default;
const BigInteger = require('amazon-cognito-identity-js/lib/BigInteger').default;
const { Sha256 } = require('@aws-crypto/sha256-js');

function main(input) {
  if (input.mode === 'deviceVerifier') {
    const helper = new AuthenticationHelper(input.deviceGroupKey);
    helper.generateHashDevice(input.deviceGroupKey, input.deviceKey, (err) => {
      if (err) throw err;
      out({
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
    if (errA) throw errA;
    const srpA = aValue.toString(16);
    // As CognitoUser.authenticateUserDefaultAuth does with the InitiateAuth response.
    const serverB = new BigInteger(input.srpB, 16);
    const salt = new BigInteger(input.salt, 16);
    helper.getPasswordAuthenticationKey(input.username, input.password, serverB, salt,
      (errK, hkdf) => {
        if (errK) throw errK;
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
        out({ srpA, timestamp, signature });
      });
  });
}

function out(obj) { process.stdout.write(JSON.stringify(obj) + '\n'); }

let data = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (c) => { data += c; });
process.stdin.on('end', () => {
  try {
    main(JSON.parse(data));
  } catch (e) {
    process.stderr.write(String(e && e.stack || e) + '\n');
    process.exit(1);
  }
});
