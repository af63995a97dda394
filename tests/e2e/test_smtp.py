"""Invitations reach a real SMTP server: the server runs with --smtp-url pointing at aiosmtpd
(tests/support/smtp_capture.py) on a free loopback port, and the test reads the mail back."""

import email
import email.policy
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from harness import unique

SUPPORT = Path(__file__).resolve().parents[1] / "support"


def _python_with_aiosmtpd():
    for py in (sys.executable, "/usr/bin/python3"):
        try:
            ok = subprocess.run([py, "-c", "import aiosmtpd"], capture_output=True,
                                timeout=30).returncode == 0
        except (OSError, subprocess.TimeoutExpired):
            ok = False
        if ok:
            return py
    return None


@pytest.fixture
def smtp_server(tmp_path):
    """aiosmtpd on a free port; yields (port, mail file); stopped at the end."""
    py = _python_with_aiosmtpd()
    if py is None:
        pytest.skip("python3-aiosmtpd is not installed")
    mail = tmp_path / "mail.jsonl"
    proc = subprocess.Popen([py, str(SUPPORT / "smtp_capture.py"), str(mail), "--lifeline"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        if not line.startswith("READY "):
            pytest.fail(f"smtp_capture.py did not start: {line!r}")
        yield int(line.split()[1]), mail
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _mails(path: Path, timeout: float = 10.0, count: int = 1):
    deadline = time.monotonic() + timeout
    while True:
        lines = path.read_text().splitlines() if path.exists() else []
        if len(lines) >= count or time.monotonic() > deadline:
            return [json.loads(x) for x in lines]
        time.sleep(0.05)


def test_invitation_arrives_by_smtp(make_server, smtp_server):
    port, mail = smtp_server
    server = make_server(extra_args=["--smtp-url", f"smtp://127.0.0.1:{port}",
                                     "--smtp-from", "Cognate Test <no-reply@example.com>"])
    idp = server.client()
    pid = idp.create_user_pool(PoolName=unique("smtp"))["UserPool"]["Id"]
    idp.admin_create_user(
        UserPoolId=pid, Username="zoë", TemporaryPassword="Smtp#Passw0rd",
        UserAttributes=[{"Name": "email", "Value": "zoe@example.com"}],
        DesiredDeliveryMediums=["EMAIL"])

    mails = _mails(mail)
    assert len(mails) == 1, mails
    m = mails[0]
    assert m["mail_from"] == "no-reply@example.com"
    assert m["rcpt_tos"] == ["zoe@example.com"]
    msg = email.message_from_string(m["data"], policy=email.policy.default)
    assert msg["Subject"] == "Your temporary password"
    assert msg["To"] == "zoe@example.com"
    assert msg["Message-ID"] and msg["Date"]
    assert msg.get_content_type() == "text/plain"
    body = msg.get_content()
    assert body.strip() == "Your username is zoë and temporary password is Smtp#Passw0rd."

    # E-mail went to the relay, not to the outbox; the log never holds the password.
    assert not [x for x in server.outbox() if x.get("pool_id") == pid]
    assert "Smtp#Passw0rd" not in server.log_text()
    assert "z***@example.com" in server.log_text()


def test_unreachable_relay_is_code_delivery_failure(make_server):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    closed = s.getsockname()[1]
    s.close()
    server = make_server(extra_args=["--smtp-url", f"smtp://127.0.0.1:{closed}"])
    idp = server.client()
    pid = idp.create_user_pool(PoolName=unique("smtpfail"))["UserPool"]["Id"]
    with pytest.raises(idp.exceptions.CodeDeliveryFailureException):
        idp.admin_create_user(
            UserPoolId=pid, Username="nobody", TemporaryPassword="Smtp#Passw0rd",
            UserAttributes=[{"Name": "email", "Value": "nobody@example.com"}],
            DesiredDeliveryMediums=["EMAIL"])
