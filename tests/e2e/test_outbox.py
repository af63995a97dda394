"""Messages Cognate would send land in data/outbox.jsonl, one JSON object per line."""

import json
import time

from harness import unique

FIELDS = {"channel", "destination", "subject", "body", "pool_id", "username", "purpose"}


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.05)
    return predicate()


def messages_for(server, pool_id):
    return [m for m in server.outbox() if m.get("pool_id") == pool_id]


def test_invitation_email(server, idp):
    pid = idp.create_user_pool(PoolName=unique("invite"))["UserPool"]["Id"]
    idp.admin_create_user(
        UserPoolId=pid, Username="nora", TemporaryPassword="Inv1te#Temp",
        UserAttributes=[{"Name": "email", "Value": "nora@example.com"}],
        DesiredDeliveryMediums=["EMAIL"])
    msgs = wait_for(lambda: messages_for(server, pid))
    assert len(msgs) == 1, msgs
    m = msgs[0]
    assert FIELDS <= set(m), m
    assert m["channel"] == "email"
    assert m["destination"] == "nora@example.com"
    assert m["username"] == "nora"
    assert m["purpose"] == "invitation"
    assert "Inv1te#Temp" in m["body"], "the invitation carries the temporary password"
    assert "nora" in m["body"], "the default invitation names the username"
    assert m["subject"]


def test_invitation_uses_pool_template(server, idp):
    pid = idp.create_user_pool(
        PoolName=unique("tmpl"),
        AdminCreateUserConfig={"InviteMessageTemplate": {
            "EmailSubject": "Welcome aboard",
            "EmailMessage": "Hi {username}, your code is {####}. See you!"}},
    )["UserPool"]["Id"]
    idp.admin_create_user(
        UserPoolId=pid, Username="olga", TemporaryPassword="Tmpl#Passw0rd",
        UserAttributes=[{"Name": "email", "Value": "olga@example.com"}],
        DesiredDeliveryMediums=["EMAIL"])
    m = wait_for(lambda: messages_for(server, pid))[0]
    assert m["subject"] == "Welcome aboard"
    assert m["body"] == "Hi olga, your code is Tmpl#Passw0rd. See you!"


def test_suppressed_invitation_is_not_sent(server, idp):
    pid = idp.create_user_pool(PoolName=unique("quiet"))["UserPool"]["Id"]
    idp.admin_create_user(UserPoolId=pid, Username="pat", MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": "pat@example.com"}],
                          DesiredDeliveryMediums=["EMAIL"])
    time.sleep(0.3)
    assert messages_for(server, pid) == []


def test_generated_temporary_password_meets_policy(server, idp):
    pid = idp.create_user_pool(PoolName=unique("gen"))["UserPool"]["Id"]
    idp.admin_create_user(UserPoolId=pid, Username="quinn",
                          UserAttributes=[{"Name": "email", "Value": "quinn@example.com"}],
                          DesiredDeliveryMediums=["EMAIL"])
    m = wait_for(lambda: messages_for(server, pid))[0]
    assert m["purpose"] == "invitation"
    assert "{####}" not in m["body"] and "{username}" not in m["body"]


def test_outbox_lines_are_valid_json(server):
    path = server.data_dir / "outbox.jsonl"
    if not path.exists():
        return
    for line in path.read_text().splitlines():
        if line.strip():
            json.loads(line)
