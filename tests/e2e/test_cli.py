"""The aws CLI, unchanged, with the profile and files the server wrote (the issue's commands)."""

import configparser
import json

import pytest


def run_json(server, *args):
    out = server.aws(*args)
    assert out.returncode == 0, f"aws {' '.join(args)} failed ({out.returncode}):\n{out.stderr}"
    return json.loads(out.stdout) if out.stdout.strip() else {}


def test_credentials_and_config_files(server):
    cp = configparser.ConfigParser()
    cp.read(server.credentials_file)
    assert cp.has_section("cognate"), server.credentials_file.read_text()
    akid = cp["cognate"]["aws_access_key_id"]
    secret = cp["cognate"]["aws_secret_access_key"]
    assert len(akid) >= 16 and len(secret) >= 30
    assert (server.credentials_file.stat().st_mode & 0o077) == 0, "credentials must be 0600"
    assert server.config_file.exists()


def test_credentials_are_stable_across_restart(make_server):
    s = make_server()
    first = s.credentials()
    s.restart()
    assert s.credentials() == first


def test_issue_commands(server):
    """The exact commands of the issue."""
    pool = run_json(server, "create-user-pool", "--pool-name", "demo",
                    "--username-attributes", "email", "--schema", "Name=email,Required=true")
    pid = pool["UserPool"]["Id"]
    assert pool["UserPool"]["Name"] == "demo"
    assert pool["UserPool"]["UsernameAttributes"] == ["email"]

    for email in ("alice@example.com", "andy@example.com", "bob@example.com"):
        created = run_json(server, "admin-create-user", "--user-pool-id", pid,
                           "--username", email,
                           "--user-attributes", f"Name=email,Value={email}",
                           "--message-action", "SUPPRESS")
        assert created["User"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"

    listed = run_json(server, "list-users", "--user-pool-id", pid, "--filter", 'email ^= "a"')
    emails = sorted(next(a["Value"] for a in u["Attributes"] if a["Name"] == "email")
                    for u in listed["Users"])
    assert emails == ["alice@example.com", "andy@example.com"]


def test_cli_admin_get_user_and_groups(server):
    pid = run_json(server, "create-user-pool", "--pool-name", "cli")["UserPool"]["Id"]
    run_json(server, "admin-create-user", "--user-pool-id", pid, "--username", "carol",
             "--temporary-password", "Temp#Passw0rd", "--message-action", "SUPPRESS")
    got = run_json(server, "admin-get-user", "--user-pool-id", pid, "--username", "carol")
    assert got["Username"] == "carol"
    run_json(server, "create-group", "--user-pool-id", pid, "--group-name", "staff",
             "--precedence", "3")
    run_json(server, "admin-add-user-to-group", "--user-pool-id", pid, "--username", "carol",
             "--group-name", "staff")
    groups = run_json(server, "admin-list-groups-for-user", "--user-pool-id", pid,
                      "--username", "carol")
    assert [g["GroupName"] for g in groups["Groups"]] == ["staff"]
    run_json(server, "admin-delete-user", "--user-pool-id", pid, "--username", "carol")


def test_cli_client_commands(server):
    pid = run_json(server, "create-user-pool", "--pool-name", "cli-clients")["UserPool"]["Id"]
    c = run_json(server, "create-user-pool-client", "--user-pool-id", pid, "--client-name",
                 "web", "--generate-secret")["UserPoolClient"]
    assert c["ClientSecret"]
    listed = run_json(server, "list-user-pool-clients", "--user-pool-id", pid)
    assert [x["ClientId"] for x in listed["UserPoolClients"]] == [c["ClientId"]]


@pytest.mark.parametrize("args,code", [
    (("admin-get-user", "--user-pool-id", "us-east-1_NoSuchPool", "--username", "x"),
     "ResourceNotFoundException"),
    (("describe-user-pool", "--user-pool-id", "us-east-1_NoSuchPool"),
     "ResourceNotFoundException"),
])
def test_cli_errors(server, args, code):
    out = server.aws(*args)
    assert out.returncode == 254, (out.returncode, out.stderr)
    assert f"An error occurred ({code})" in out.stderr, out.stderr


def test_cli_with_wrong_secret_is_rejected(server, tmp_path):
    akid, _ = server.credentials()
    creds = tmp_path / "credentials"
    creds.write_text(f"[cognate]\naws_access_key_id = {akid}\n"
                     "aws_secret_access_key = wrongwrongwrongwrongwrongwrongwrongwrong\n")
    env = server.cli_env()
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(creds)
    import subprocess

    import harness

    out = subprocess.run([harness.aws_cli_path(), "cognito-idp", "list-user-pools",
                          "--max-results", "5", "--endpoint-url", server.endpoint],
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert "InvalidSignatureException" in out.stderr, out.stderr
