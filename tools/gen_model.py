#!/usr/bin/env python3
"""Writes the API-model digests Cognate embeds (src/api/model/<service>.json).

Reads the newest botocore JSON model on the machine (the pyenv/pip botocore when present, else
Debian's python3-botocore) for cognito-idp and cognito-identity and keeps only what the front
door needs: each operation's auth kind, input shape and declared errors, and every shape an input
reaches (type, members in model order, required members, length/value limits, pattern, enum,
sensitivity). cognito-idp operations that only the newest npm SDK has (listed in
shared/reference/cognito-api-surface.md section 3) are added from SUPPLEMENT below.

Usage: tools/gen_model.py [--out src/api/model] [--botocore-data DIR]
The output is committed; builds never need python.
"""

import argparse
import glob
import gzip
import json
import os
import re
import sys

SERVICES = {
    "cognito-idp": "2016-04-18",
    "cognito-identity": "2014-06-30",
}

# Unsigned (authtype none) cognito-idp operations authorised by an access token (or the MFA-setup
# Session); the other unsigned ones are public (ClientId, refresh token, feedback token).
TOKEN_MEMBERS = ("AccessToken",)

# Operations in @aws-sdk/client-cognito-identity-provider 3.1169.0 that botocore lacks. Required
# members and auth kinds from the reference (section 3); member shapes reuse botocore's where the
# SDK schema names the same type, otherwise they are left unconstrained.
SUPPLEMENT = {
    "AdminDeleteSoftwareToken": ("iam", [("UserPoolId", "UserPoolIdType"), ("Username", "UsernameType")],
                                 ["UserPoolId", "Username"], "B5 UserNotConfirmed UserNotFound"),
    "AdminGetUserAuthFactors": ("iam", [("UserPoolId", "UserPoolIdType"), ("Username", "UsernameType")],
                                ["UserPoolId", "Username"], "B5 UserNotFound"),
    "AdminListUserSessions": ("iam", [("UserPoolId", "UserPoolIdType"), ("Username", "UsernameType"),
                                      ("NextToken", "~string")],
                              ["UserPoolId", "Username"], "B5 UserNotFound"),
    "AdminRevokeUserSession": ("iam", [("UserPoolId", "UserPoolIdType"), ("Username", "UsernameType"),
                                       ("SessionId", "~string"), ("RevokeAssociatedSessions", "~RevokeAssociatedSessionsType")],
                               ["UserPoolId", "Username", "SessionId"], "B5 UserNotFound"),
    "CreateUserPoolReplica": ("iam", [("UserPoolId", "UserPoolIdType"), ("RegionName", "~string"),
                                      ("UserPoolTags", "UserPoolTagsType")],
                              ["UserPoolId", "RegionName"], "B5 FeatureUnavailableInTier LimitExceeded UserPoolTagging"),
    "DeleteUserPoolReplica": ("iam", [("UserPoolId", "UserPoolIdType"), ("RegionName", "~string")],
                              ["UserPoolId", "RegionName"], "B5"),
    "DescribeTermsByClient": ("iam", [("ClientId", "ClientIdType"), ("UserPoolId", "UserPoolIdType"),
                                      ("TermsName", "~string")],
                              ["ClientId", "UserPoolId", "TermsName"], "B5"),
    # Signed by the SDKs, but IAM is not evaluated: ClientId + Secret authorise it (decisions.md).
    "GetClientToken": ("public", [("ClientId", "ClientIdType"), ("Secret", "ClientSecretType"),
                                  ("Scopes", "ScopeListType"), ("ClientMetadata", "ClientMetadataType")],
                       ["ClientId", "Secret"], "B5 Forbidden"),
    "GetProvisionedLimit": ("iam", [("LimitDefinition", "~structure")], ["LimitDefinition"], "B5"),
    "GetUserPoolClientSessionConfiguration": ("iam", [("UserPoolId", "UserPoolIdType"), ("ClientId", "ClientIdType")],
                                              ["UserPoolId", "ClientId"], "B5"),
    "GetUserPoolSessionConfiguration": ("iam", [("UserPoolId", "UserPoolIdType")], ["UserPoolId"], "B5"),
    "ListUserPoolReplicas": ("iam", [("UserPoolId", "UserPoolIdType"), ("NextToken", "~string")],
                             ["UserPoolId"], "B5"),
    "ListUserSessions": ("token", [("AccessToken", "TokenModelType"), ("NextToken", "~string")],
                         ["AccessToken"], "B5 Forbidden PasswordResetRequired UserNotConfirmed UserNotFound"),
    "RevokeUserSession": ("token", [("AccessToken", "TokenModelType"), ("SessionId", "~string"),
                                    ("RevokeAssociatedSessions", "~RevokeAssociatedSessionsType")],
                          ["AccessToken", "SessionId"], "B5 Forbidden PasswordResetRequired UserNotConfirmed UserNotFound"),
    "SetUserPoolClientSessionConfiguration": ("iam", [("UserPoolId", "UserPoolIdType"), ("ClientId", "ClientIdType"),
                                                      ("SSOSession", "~structure")],
                                              ["UserPoolId", "ClientId"], "B5 ConcurrentModification FeatureUnavailableInTier"),
    "SetUserPoolSessionConfiguration": ("iam", [("UserPoolId", "UserPoolIdType"), ("UserSessionTracking", "~UserSessionTrackingType"),
                                                ("TokenSession", "~structure")],
                                        ["UserPoolId", "UserSessionTracking"], "B5 ConcurrentModification FeatureUnavailableInTier"),
    "UpdateProvisionedLimit": ("iam", [("LimitDefinition", "~structure"), ("RequestedLimitValue", "~long")],
                               ["RequestedLimitValue"], "B5 ServiceQuotaExceeded"),
    "UpdateUserPoolReplica": ("iam", [("UserPoolId", "UserPoolIdType"), ("RegionName", "~string"),
                                      ("Status", "~UpdateReplicaStatusType")],
                              ["UserPoolId", "RegionName", "Status"], "B5"),
}
# Shapes the supplement needs that botocore lacks ("~name" above).
SUPPLEMENT_SHAPES = {
    "~string": {"type": "string"},
    "~long": {"type": "long"},
    "~structure": {"type": "structure", "members": [], "required": []},
    "~RevokeAssociatedSessionsType": {"type": "string", "enum": ["NONE", "LINKED"]},
    "~UserSessionTrackingType": {"type": "string", "enum": ["ENABLED", "DISABLED"]},
    "~UpdateReplicaStatusType": {"type": "string", "enum": ["ACTIVE", "INACTIVE"]},
}
B5 = ["InternalErrorException", "InvalidParameterException", "NotAuthorizedException",
      "ResourceNotFoundException", "TooManyRequestsException"]


def find_data_dirs(explicit):
    """Candidate botocore data dirs, newest botocore first."""
    if explicit:
        return [explicit]
    cands = set()
    for pat in ("/root/.pyenv/versions/*/lib/python3*/site-packages/botocore/data",
                "/usr/local/lib/python3*/dist-packages/botocore/data",
                "/usr/lib/python3/dist-packages/botocore/data"):
        cands.update(glob.glob(pat))
    try:
        import botocore  # noqa: PLC0415
        cands.add(os.path.join(os.path.dirname(botocore.__file__), "data"))
    except ImportError:
        pass

    def version(d):
        init = os.path.join(os.path.dirname(d), "__init__.py")
        try:
            m = re.search(r"__version__ = '([\d.]+)'", open(init).read())
            return tuple(int(x) for x in m.group(1).split("."))
        except (OSError, AttributeError):
            return (0,)

    return sorted(cands, key=version, reverse=True), version


def load_model(data_dir, service, api_version):
    base = os.path.join(data_dir, service, api_version, "service-2.json")
    if os.path.exists(base):
        return json.load(open(base))
    if os.path.exists(base + ".gz"):
        return json.load(gzip.open(base + ".gz"))
    return None


def digest_shape(shape):
    t = shape["type"]
    out = {"type": t}
    if t == "structure":
        out["members"] = [[name, m["shape"]] for name, m in shape.get("members", {}).items()]
        out["required"] = list(shape.get("required", []))
    elif t == "list":
        out["member"] = shape["member"]["shape"]
    elif t == "map":
        out["key"] = shape["key"]["shape"]
        out["value"] = shape["value"]["shape"]
    for k in ("min", "max", "pattern", "enum"):
        if k in shape:
            out[k] = shape[k]
    if shape.get("sensitive"):
        out["sensitive"] = True
    return out


def reachable(shapes, roots):
    seen, stack = set(), list(roots)
    while stack:
        name = stack.pop()
        if name in seen or name not in shapes:
            continue
        seen.add(name)
        s = shapes[name]
        if s["type"] == "structure":
            stack.extend(m["shape"] for m in s.get("members", {}).values())
        elif s["type"] == "list":
            stack.append(s["member"]["shape"])
        elif s["type"] == "map":
            stack += [s["key"]["shape"], s["value"]["shape"]]
    return seen


def build_digest(service, model, baseline_ops, source):
    md = model["metadata"]
    shapes = model["shapes"]
    ops = {}
    roots = []
    for name, op in sorted(model["operations"].items()):
        unsigned = op.get("authtype") == "none" or op.get("auth") == ["smithy.api#noAuth"]
        input_shape = op.get("input", {}).get("shape")
        if not unsigned:
            auth = "iam"
        else:
            members = shapes[input_shape]["members"] if input_shape else {}
            auth = "token" if any(m in members for m in TOKEN_MEMBERS) else "public"
        ops[name] = {
            "auth": auth,
            "input": input_shape,
            "errors": sorted(e["shape"] for e in op.get("errors", [])),
            "since": "D" if name in baseline_ops else "B",
        }
        if input_shape:
            roots.append(input_shape)
    keep = reachable(shapes, roots)
    out_shapes = {n: digest_shape(shapes[n]) for n in sorted(keep)}
    if service == "cognito-idp":
        for name, (auth, members, required, errors) in sorted(SUPPLEMENT.items()):
            if name in ops:
                continue  # botocore caught up
            req_name = name + "Request"
            for _, sh in members:
                if sh.startswith("~"):
                    out_shapes.setdefault(sh, SUPPLEMENT_SHAPES[sh])
                else:
                    for extra in reachable(shapes, [sh]):
                        out_shapes.setdefault(extra, digest_shape(shapes[extra]))
            out_shapes[req_name] = {"type": "structure", "members": [list(m) for m in members],
                                    "required": required}
            errs = set()
            for e in errors.split():
                errs.update(B5 if e == "B5" else [e + "Exception"])
            ops[name] = {"auth": auth, "input": req_name, "errors": sorted(errs), "since": "N"}
    return {
        "service": service,
        "targetPrefix": md["targetPrefix"],
        "signingName": md.get("signingName", md["endpointPrefix"]),
        "apiVersion": md["apiVersion"],
        "source": source,
        "operations": dict(sorted(ops.items())),
        "shapes": dict(sorted(out_shapes.items())),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--out", default=os.path.join(here, "..", "src", "api", "model"))
    ap.add_argument("--botocore-data", default=None)
    args = ap.parse_args()
    dirs, version = find_data_dirs(args.botocore_data) if not args.botocore_data else ([args.botocore_data], lambda d: (0,))
    debian = "/usr/lib/python3/dist-packages/botocore/data"
    for service, api_version in SERVICES.items():
        model = None
        for d in dirs:
            model = load_model(d, service, api_version)
            if model:
                src_dir = d
                break
        if model is None:
            sys.exit(f"no botocore model for {service}")
        baseline = load_model(debian, service, api_version) if os.path.isdir(debian) else None
        baseline_ops = set(baseline["operations"]) if baseline else set(model["operations"])
        ver = ".".join(map(str, version(src_dir)))
        source = f"botocore {ver}" + (" + npm @aws-sdk/client-cognito-identity-provider 3.1169.0 operations"
                                      if service == "cognito-idp" else "")
        digest = build_digest(service, model, baseline_ops, source)
        path = os.path.join(args.out, service + ".json")
        with open(path, "w") as f:
            json.dump(digest, f, separators=(",", ":"), ensure_ascii=False)
            f.write("\n")
        n = digest["operations"]
        print(f"{path}: {len(n)} operations ({sum(o['auth'] == 'iam' for o in n.values())} iam, "
              f"{sum(o['auth'] == 'token' for o in n.values())} token, "
              f"{sum(o['auth'] == 'public' for o in n.values())} public), "
              f"{len(digest['shapes'])} shapes, from {source}")


if __name__ == "__main__":
    main()
