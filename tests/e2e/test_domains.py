"""User-pool domains end to end with boto3 and the aws CLI: prefix and custom domains, Cognito's
name rules and errors, global uniqueness, DescribeUserPool's Domain / CustomDomain, and the
certificate ARNs the server config names (--certificate)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

import harness
from conftest import ServerFactory

ARN = "arn:aws:acm:us-east-1:000000000000:certificate/0b1c2d3e-4f50-4a61-8b72-9c8d7e6f5a4b"
REPO = Path(__file__).resolve().parents[2]


def error_of(exc_info):
    err = exc_info.value.response["Error"]
    return err["Code"], err.get("Message", "")


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    subprocess.run([str(REPO / "scripts" / "dev-cert"), str(d)], check=True,
                   capture_output=True)
    return d


@pytest.fixture(scope="module")
def server(tmp_path_factory, pg_admin_dsn, certs):
    root = tmp_path_factory.mktemp("srv")
    factory = ServerFactory(root, pg_admin_dsn)
    s = factory("data", extra_args=["--certificate",
                                    f"{ARN}={certs / 'cert.pem'},{certs / 'key.pem'}"])
    yield s
    factory.close()


def test_prefix_domain_lifecycle(idp, plain_pool):
    pid = plain_pool["Id"]
    name = harness.unique("app").lower().replace("_", "-")
    created = idp.create_user_pool_domain(UserPoolId=pid, Domain=name)
    assert created.get("ManagedLoginVersion") in (None, 1)  # old botocore drops the member
    desc = idp.describe_user_pool_domain(Domain=name)["DomainDescription"]
    assert desc["UserPoolId"] == pid
    assert desc["Domain"] == name
    assert desc["Status"] == "ACTIVE"
    assert desc["AWSAccountId"] == "000000000000"
    assert desc["CloudFrontDistribution"] == f"{name}.auth.localhost"
    assert "CustomDomainConfig" not in desc
    assert idp.describe_user_pool(UserPoolId=pid)["UserPool"]["Domain"] == name

    # The name is taken for every other pool.
    other = idp.create_user_pool(PoolName=harness.unique("other"))["UserPool"]["Id"]
    with pytest.raises(ClientError) as e:
        idp.create_user_pool_domain(UserPoolId=other, Domain=name)
    assert error_of(e) == ("InvalidParameterException",
                           "Domain already associated with another user pool.")
    # One prefix domain per pool.
    with pytest.raises(ClientError) as e:
        idp.create_user_pool_domain(UserPoolId=pid, Domain=name + "-2")
    assert error_of(e) == ("InvalidParameterException",
                           "User pool already has a domain configured.")

    # Deleting needs the owning pool.
    with pytest.raises(ClientError) as e:
        idp.delete_user_pool_domain(UserPoolId=other, Domain=name)
    assert error_of(e) == ("InvalidParameterException", "No such domain or user pool exists.")
    idp.delete_user_pool_domain(UserPoolId=pid, Domain=name)
    assert idp.describe_user_pool_domain(Domain=name)["DomainDescription"] == {}
    assert "Domain" not in idp.describe_user_pool(UserPoolId=pid)["UserPool"]
    idp.create_user_pool_domain(UserPoolId=other, Domain=name)
    assert idp.describe_user_pool_domain(Domain=name)["DomainDescription"]["UserPoolId"] == other


def test_prefix_rules(idp, plain_pool):
    pid = plain_pool["Id"]
    bad = ("The domain name contains an invalid character. Domain names can only contain "
           "lower-case letters, numbers, and hyphens. Please enter a different name that follows "
           "this format: ^[a-z0-9](?:[a-z0-9\\-]{0,61}[a-z0-9])?$")
    for name in ("Upper", "-lead", "trail-", "under_score", "dot.ted"):
        with pytest.raises(ClientError) as e:
            idp.create_user_pool_domain(UserPoolId=pid, Domain=name)
        assert error_of(e) == ("InvalidParameterException", bad), name
    for word in ("aws", "amazon", "cognito"):
        with pytest.raises(ClientError) as e:
            idp.create_user_pool_domain(UserPoolId=pid, Domain=f"my-{word}-login")
        assert error_of(e) == ("InvalidParameterException",
                               f"Domain cannot contain reserved word: {word}")
    with pytest.raises(ClientError) as e:
        idp.create_user_pool_domain(UserPoolId="us-east-1_nothere00", Domain="fine")
    assert error_of(e) == ("ResourceNotFoundException",
                           "User pool us-east-1_nothere00 does not exist.")
    assert idp.describe_user_pool_domain(Domain="never-made")["DomainDescription"] == {}


def test_model_constraints_at_the_door(server, plain_pool):
    # Longer than the model's 63 characters; missing required members.
    r = server.call_raw("CreateUserPoolDomain", {"UserPoolId": plain_pool["Id"],
                                                 "Domain": "a" * 64})
    assert r.status == 400 and r.error_type in ("InvalidParameterException",)
    r = server.call_raw("CreateUserPoolDomain", {"Domain": "x"})
    assert r.status == 400 and r.error_type == "InvalidParameterException"
    r = server.call_raw("DescribeUserPoolDomain", {})
    assert r.status == 400 and r.error_type == "InvalidParameterException"


def test_custom_domain(idp, server, plain_pool):
    pid = plain_pool["Id"]
    host = harness.unique("login").lower().replace("_", "-") + ".example.com"
    with pytest.raises(ClientError) as e:
        idp.create_user_pool_domain(UserPoolId=pid, Domain=host,
                                    CustomDomainConfig={"CertificateArn": ARN + "0"})
    assert error_of(e) == (
        "InvalidParameterException",
        "The specified SSL certificate doesn't exist, isn't valid, or doesn't include a valid "
        "certificate chain.")
    created = idp.create_user_pool_domain(UserPoolId=pid, Domain=host,
                                          CustomDomainConfig={"CertificateArn": ARN})
    assert created["CloudFrontDomain"] == "auth.localhost"
    desc = idp.describe_user_pool_domain(Domain=host)["DomainDescription"]
    assert desc["CustomDomainConfig"] == {"CertificateArn": ARN}
    assert desc["UserPoolId"] == pid
    assert idp.describe_user_pool(UserPoolId=pid)["UserPool"]["CustomDomain"] == host
    # A prefix domain may sit beside it.
    prefix = harness.unique("p").lower().replace("_", "-")
    idp.create_user_pool_domain(UserPoolId=pid, Domain=prefix)
    pool = idp.describe_user_pool(UserPoolId=pid)["UserPool"]
    assert (pool["Domain"], pool["CustomDomain"]) == (prefix, host)
    # The certificate can be replaced; a prefix domain has none.
    idp.update_user_pool_domain(UserPoolId=pid, Domain=host,
                                CustomDomainConfig={"CertificateArn": ARN})
    with pytest.raises(ClientError) as e:
        idp.update_user_pool_domain(UserPoolId=pid, Domain=prefix,
                                    CustomDomainConfig={"CertificateArn": ARN})
    assert error_of(e)[0] == "InvalidParameterException"
    idp.delete_user_pool_domain(UserPoolId=pid, Domain=host)
    assert idp.describe_user_pool_domain(Domain=host)["DomainDescription"] == {}
    assert idp.describe_user_pool(UserPoolId=pid)["UserPool"]["Domain"] == prefix


def test_managed_login_version(server, plain_pool):
    pid = plain_pool["Id"]
    name = harness.unique("mlv").lower().replace("_", "-")
    r = server.call_raw("CreateUserPoolDomain", {"UserPoolId": pid, "Domain": name,
                                                 "ManagedLoginVersion": 2})
    assert r.status == 200, r.body
    assert r.json() == {"ManagedLoginVersion": 2}
    r = server.call_raw("UpdateUserPoolDomain", {"UserPoolId": pid, "Domain": name,
                                                 "ManagedLoginVersion": 1})
    assert r.status == 200 and r.json() == {"ManagedLoginVersion": 1}
    r = server.call_raw("DescribeUserPoolDomain", {"Domain": name})
    assert r.json()["DomainDescription"]["ManagedLoginVersion"] == 1
    r = server.call_raw("UpdateUserPoolDomain", {"UserPoolId": pid, "Domain": name,
                                                 "ManagedLoginVersion": 7})
    assert r.status == 400 and r.error_type == "InvalidParameterException"
    lite = server.call_raw("CreateUserPool", {"PoolName": "lite", "UserPoolTier": "LITE"}).json()
    r = server.call_raw("CreateUserPoolDomain", {"UserPoolId": lite["UserPool"]["Id"],
                                                 "Domain": name + "-lite",
                                                 "ManagedLoginVersion": 2})
    assert r.status == 400 and r.error_type == "FeatureUnavailableInTierException"


def test_cli(server, plain_pool):
    pid = plain_pool["Id"]
    name = harness.unique("cli").lower().replace("_", "-")
    out = server.aws("create-user-pool-domain", "--user-pool-id", pid, "--domain", name)
    assert out.returncode == 0, out.stderr
    out = server.aws("describe-user-pool-domain", "--domain", name)
    assert out.returncode == 0, out.stderr
    assert f'"UserPoolId": "{pid}"' in out.stdout
    out = server.aws("delete-user-pool-domain", "--user-pool-id", pid, "--domain", name)
    assert out.returncode == 0, out.stderr


def _token(server, host: str, client: dict) -> tuple[int, dict]:
    import base64
    import json as _json
    auth = base64.b64encode(f"{client['ClientId']}:{client['ClientSecret']}".encode()).decode()
    r = server.raw("POST", "/oauth2/token", b"grant_type=client_credentials",
                   {"Host": host, "Content-Type": "application/x-www-form-urlencoded",
                    "Authorization": f"Basic {auth}"})
    try:
        return r.status, _json.loads(r.body)
    except ValueError:
        return r.status, {}


def test_the_domain_host_names_the_pool(idp, server, plain_pool):
    """The OAuth endpoints find the pool from Host ({prefix}.auth.localhost): a client of another
    pool is unknown there, while the main host serves every pool."""
    pid = plain_pool["Id"]
    other = idp.create_user_pool(PoolName=harness.unique("other"))["UserPool"]["Id"]
    clients = {}
    for p in (pid, other):
        idp.create_resource_server(UserPoolId=p, Identifier="api", Name="API",
                                   Scopes=[{"ScopeName": "read", "ScopeDescription": "r"}])
        clients[p] = idp.create_user_pool_client(
            UserPoolId=p, ClientName="m2m", GenerateSecret=True,
            AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["client_credentials"],
            AllowedOAuthScopes=["api/read"])["UserPoolClient"]
    prefix = harness.unique("host").lower().replace("_", "-")
    idp.create_user_pool_domain(UserPoolId=pid, Domain=prefix)
    host = f"{prefix}.auth.localhost:{server.port}"

    status, body = _token(server, host, clients[pid])
    assert status == 200 and "access_token" in body, body
    status, body = _token(server, f"{prefix.upper()}.AUTH.localhost", clients[pid])
    assert status == 200, body
    status, body = _token(server, host, clients[other])
    assert status == 401 and body.get("error") == "invalid_client", body
    # The main host serves both pools.
    for p in (pid, other):
        status, body = _token(server, f"127.0.0.1:{server.port}", clients[p])
        assert status == 200, body
    # After the domain is deleted the name no longer names the pool.
    idp.delete_user_pool_domain(UserPoolId=pid, Domain=prefix)
    status, body = _token(server, host, clients[other])
    assert status == 200, body


def test_custom_domain_certificate_is_served_by_sni(make_server, certs, tmp_path):
    """With TLS on, a certificate named by [certificates] answers the hosts it covers (SNI);
    every other name gets the main certificate."""
    import ssl
    key, cert = tmp_path / "login.key", tmp_path / "login.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                    "-subj", "/CN=login.example.com",
                    "-addext", "subjectAltName=DNS:login.example.com",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    s = make_server("tls", extra_args=["--tls-cert", str(certs / "cert.pem"),
                                       "--tls-key", str(certs / "key.pem"),
                                       "--certificate", f"{ARN}={cert},{key}"])

    def subject(name: str | None) -> str:
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        import socket
        with socket.create_connection(("127.0.0.1", s.port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname=name) as tls:
                der = tls.getpeercert(binary_form=True)
        out = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-subject"],
                             input=der, capture_output=True, check=True)
        return out.stdout.decode()

    assert "login.example.com" in subject("login.example.com")
    assert "Cognate development" in subject("myapp.auth.localhost")
    assert "Cognate development" in subject(None)


def test_a_pool_with_a_domain_cannot_be_deleted(idp):
    """Cognito: "User pool cannot be deleted. It has a domain configured that should be deleted
    first." for a prefix or a custom domain; the name stays with the pool until it is deleted."""
    message = ("InvalidParameterException",
               "User pool cannot be deleted. It has a domain configured that should be deleted "
               "first.")
    pid = idp.create_user_pool(PoolName=harness.unique("kept"))["UserPool"]["Id"]
    prefix = harness.unique("kept").lower().replace("_", "-")
    idp.create_user_pool_domain(UserPoolId=pid, Domain=prefix)
    custom = f"{prefix}.example.com"
    idp.create_user_pool_domain(UserPoolId=pid, Domain=custom,
                                CustomDomainConfig={"CertificateArn": ARN})
    with pytest.raises(ClientError) as e:
        idp.delete_user_pool(UserPoolId=pid)
    assert error_of(e) == message
    assert idp.describe_user_pool_domain(Domain=prefix)["DomainDescription"]["UserPoolId"] == pid
    idp.delete_user_pool_domain(UserPoolId=pid, Domain=prefix)
    with pytest.raises(ClientError) as e:
        idp.delete_user_pool(UserPoolId=pid)
    assert error_of(e) == message  # the custom domain is left
    idp.delete_user_pool_domain(UserPoolId=pid, Domain=custom)
    idp.delete_user_pool(UserPoolId=pid)
    with pytest.raises(ClientError) as e:
        idp.describe_user_pool(UserPoolId=pid)
    assert error_of(e)[0] == "ResourceNotFoundException"
    other = idp.create_user_pool(PoolName=harness.unique("next"))["UserPool"]["Id"]
    idp.create_user_pool_domain(UserPoolId=other, Domain=prefix)  # the name is free again
