#!/usr/bin/env python3
"""Writes the seed corpora of token_fuzz and srp_fuzz (tests/fuzz/corpus/{token,srp}).

The input formats are described at the top of token_fuzz.cc and srp_fuzz.cc. Tokens signed at
run time (the fuzzers generate their keys) are reached through the mutation modes; the raw modes
get well-formed tokens under keys the fuzzers do not hold. Run from anywhere; rewrites the files.
"""
import base64
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))


def b64u(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(header, payload, sig=b"\x01" * 256):
    return ".".join([b64u(json.dumps(header, separators=(",", ":"))),
                     b64u(json.dumps(payload, separators=(",", ":"))), b64u(sig)])


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


NOW = 1_700_000_000
ISS = "http://127.0.0.1:9229/us-east-1_FuzzPool"
ACCESS = {"sub": "s", "iss": ISS, "client_id": "fuzzclient0000000000000000", "origin_jti": "f",
          "event_id": "e", "token_use": "access", "scope": "aws.cognito.signin.user.admin",
          "auth_time": NOW, "exp": NOW + 3600, "iat": NOW, "jti": "j", "username": "fuzzuser"}


def token_corpus():
    rs = {"kid": "fuzz-kid", "alg": "RS256"}
    raw = {
        "rs256": jwt(rs, {"sub": "a", "exp": NOW + 3600}),
        "alg_none": jwt({"kid": "fuzz-kid", "alg": "none"}, {"sub": "a"}, b""),
        "hs256": jwt({"kid": "fuzz-kid", "alg": "HS256"}, {"sub": "a"}, b"\x00" * 32),
        "crit": jwt({"kid": "fuzz-kid", "alg": "RS256", "crit": ["b64"]}, {"sub": "a"}),
        "kid_number": jwt({"kid": 7, "alg": "RS256"}, {"sub": "a"}),
        "access_unknown_kid": jwt({"kid": "unknown", "alg": "RS256"}, ACCESS),
        "four_parts": "a.b.c.d",
        "empty_parts": "..",
    }
    for name, tok in raw.items():
        write("token", "jwt_raw_" + name, b"\x00" + tok.encode())
        write("token", "access_raw_" + name, b"\x02" + tok.encode())
    # Mutations: mode, base, part, op, pos, operand.
    patches = [
        ("alg_none", 0, b'{"alg":"none"}'), ("alg_hs256", 0, b'{"alg":"HS256"}'),
        ("kid_other", 0, b'{"kid":"other"}'), ("kid_null", 0, b'{"kid":null}'),
        ("crit", 0, b'{"crit":["exp"]}'), ("exp_string", 1, b'{"exp":"soon"}'),
        ("exp_huge", 1, b'{"exp":9.9e300}'), ("exp_neg", 1, b'{"exp":-9223372036854775808}'),
        ("nbf_future", 1, b'{"nbf":4000000000}'), ("token_use_id", 1, b'{"token_use":"id"}'),
        ("iss_other", 1, b'{"iss":"http://127.0.0.1:9229/us-east-1_Other"}'),
        ("scope_none", 1, b'{"scope":null}'),
    ]
    for name, part, patch in patches:
        for base in range(3):
            write("token", f"jwt_patch_{name}_{base}", bytes([1, base, part, 5, 0]) + patch)
            write("token", f"access_patch_{name}_{base}", bytes([3, base, part, 5, 0]) + patch)
    for base in range(4):
        for part in range(3):
            write("token", f"jwt_flip_{base}_{part}", bytes([1, base, part, 6, 128, 3]))
            write("token", f"jwt_trunc_{base}_{part}", bytes([1, base, part, 4, 200]))
            write("token", f"jwt_insert_{base}_{part}", bytes([1, base, part, 2, 64]) + b"=")
    for base in range(3):
        for part in range(3):
            write("token", f"access_flip_{base}_{part}", bytes([3, base, part, 6, 17, 1]))
            write("token", f"access_append_{base}_{part}", bytes([3, base, part, 7, 0]) + b"\0")
    write("token", "access_extra_dot", bytes([3, 0, 2, 2, 255]) + b".x")
    write("token", "access_header_json",
          bytes([3, 0, 0, 1, 0]) + b'{"kid":"nope","alg":"RS256"}')
    write("token", "refresh_raw_garbage", b"\x04" + b64u(b"\x00" * 80).encode())
    write("token", "refresh_raw_jwt", b"\x04" + raw["rs256"].encode())
    write("token", "refresh_raw_empty", b"\x04")
    write("token", "refresh_same", bytes([5, 0, 0, 3, 0]))
    write("token", "refresh_flip", bytes([5, 0, 0, 6, 100, 2]))
    write("token", "refresh_trunc", bytes([5, 0, 0, 4, 250]))
    write("token", "refresh_padding", bytes([5, 0, 0, 2, 255]) + b"==")
    write("token", "refresh_append", bytes([5, 0, 0, 7, 0]) + b"\0\0")
    write("token", "revoke_same", bytes([5, 0, 0, 3, 0, 0]))
    write("token", "revoke_other_client", bytes([5, 0, 0, 3, 0, 0, 0]))
    write("token", "revoke_jwt", b"\x04" + raw["rs256"].encode() + b"\0")


def srp_corpus():
    src = open(os.path.join(HERE, "..", "..", "src", "crypto", "srp.cc")).read()
    n_hex = "".join(re.search(r'kNHex =\s*((?:"[0-9A-F]+"\s*)+);', src).group(1).split('"')[1::2])
    for name, a in {"client": "a" * 767 + "1", "zero": "0", "one": "1", "odd": "abc",
                    "upper": "DEADBEEF", "n": n_hex, "two_n": format(2 * int(n_hex, 16), "x"),
                    "leading_zeros": "000001", "bad_char": "12g4", "max": "f" * 1024}.items():
        write("srp", "a_" + name, "\x00" + a)
    for name, ts in {"canonical": "Tue Nov 3 08:07:00 UTC 2026",
                     "padded_day": "Tue Nov 03 08:07:00 UTC 2026",
                     "wrong_weekday": "Mon Nov 3 08:07:00 UTC 2026",
                     "leap": "Thu Feb 29 00:00:00 UTC 2024", "feb30": "Fri Feb 30 00:00:00 UTC 2024",
                     "epoch": "Thu Jan 1 00:00:00 UTC 1970", "gmt": "Tue Nov 3 08:07:00 GMT 2026",
                     "late": "Fri Dec 31 23:59:59 UTC 9999", "double_space": "Tue Nov  3 08:07:00 UTC 2026",
                     "hour24": "Tue Nov 3 24:00:00 UTC 2026"}.items():
        write("srp", "ts_" + name, "\x01" + ts)
    sig = base64.b64encode(b"\x07" * 32).decode()
    block = base64.b64decode(b64u(b"secret block") + "==")
    write("srp", "claim_client_a", b"\x02\x00" + sig.encode() + b"\x00" + block + b"\x00" +
          b"Tue Nov 3 08:07:00 UTC 2026")
    write("srp", "claim_zero_a", b"\x020\x00" + sig.encode() + b"\x00x\x00Tue Nov 3 08:07:00 UTC 2026")
    write("srp", "claim_n_a", b"\x02" + n_hex.encode() + b"\x00" + sig.encode() + b"\x00\x00")
    write("srp", "claim_short_sig", b"\x02\x00AAAA\x00x\x00y")
    write("srp", "signed_canonical", b"\x03" + block + b"\x00Tue Nov 3 08:07:00 UTC 2026")
    write("srp", "signed_padded", b"\x03\x00Tue Nov 03 08:07:00 UTC 2026")
    write("srp", "signed_garbage_ts", b"\x03blk\x00not a timestamp")


if __name__ == "__main__":
    token_corpus()
    srp_corpus()
