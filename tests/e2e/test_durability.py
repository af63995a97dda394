"""Nothing acknowledged is lost: kill -9 then restart, on SQLite and PostgreSQL; SIGTERM stops
cleanly."""

import concurrent.futures
import signal
import threading
import time

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from harness import unique


def all_usernames(idp, pid):
    names = []
    for page in idp.get_paginator("list_users").paginate(UserPoolId=pid,
                                                         PaginationConfig={"PageSize": 60}):
        names += [u["Username"] for u in page["Users"]]
    return names


def test_acknowledged_writes_survive_kill_9(make_server):
    s = make_server()
    idp = s.client()
    pid = idp.create_user_pool(PoolName=unique("durable"))["UserPool"]["Id"]
    cid = idp.create_user_pool_client(UserPoolId=pid, ClientName="app")["UserPoolClient"][
        "ClientId"]
    idp.admin_create_user(UserPoolId=pid, Username="ada", MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": "ada@example.com"}])
    idp.create_group(UserPoolId=pid, GroupName="g")
    idp.admin_add_user_to_group(UserPoolId=pid, Username="ada", GroupName="g")
    idp.admin_update_user_attributes(UserPoolId=pid, Username="ada",
                                     UserAttributes=[{"Name": "name", "Value": "Ada L"}])
    # The last acknowledged write, then no chance to flush anything.
    s.kill()
    s.start()
    idp = s.client()
    assert idp.describe_user_pool(UserPoolId=pid)["UserPool"]["Id"] == pid
    assert idp.describe_user_pool_client(UserPoolId=pid, ClientId=cid)["UserPoolClient"][
        "ClientName"] == "app"
    u = idp.admin_get_user(UserPoolId=pid, Username="ada")
    assert {a["Name"]: a["Value"] for a in u["UserAttributes"]}["name"] == "Ada L"
    groups = idp.admin_list_groups_for_user(UserPoolId=pid, Username="ada")["Groups"]
    assert [g["GroupName"] for g in groups] == ["g"]


@pytest.mark.slow
def test_kill_9_under_write_load_loses_nothing_acknowledged(make_server):
    s = make_server()
    pid = s.client().create_user_pool(PoolName=unique("load"))["UserPool"]["Id"]
    acked: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()
    max_per_worker = 400  # bounded even if the kill comes late

    def writer(w):
        c = s.client()
        for i in range(max_per_worker):
            if stop.is_set():
                return
            name = f"w{w}-{i}"
            try:
                c.admin_create_user(UserPoolId=pid, Username=name, MessageAction="SUPPRESS")
            except (ClientError, EndpointConnectionError, Exception):  # noqa: BLE001
                return  # the server died mid-request: not acknowledged
            with lock:
                acked.append(name)

    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        futures = [ex.submit(writer, w) for w in range(4)]
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with lock:
                if len(acked) >= 60:
                    break
            time.sleep(0.01)
        s.kill()
        stop.set()
        for f in futures:
            f.result()
    assert len(acked) >= 10, "the server acknowledged almost nothing before the kill"
    s.start()
    present = set(all_usernames(s.client(), pid))
    lost = [n for n in acked if n not in present]
    assert not lost, f"{len(lost)} acknowledged users lost after kill -9: {lost[:10]}"


def test_sigterm_is_graceful(make_server):
    s = make_server()
    idp = s.client()
    pid = idp.create_user_pool(PoolName=unique("term"))["UserPool"]["Id"]
    idp.admin_create_user(UserPoolId=pid, Username="tess", MessageAction="SUPPRESS")
    started = time.monotonic()
    code = s.stop(signal.SIGTERM, timeout=15)
    assert code == 0, f"exit code {code} on SIGTERM:\n{s.log_text()[-2000:]}"
    assert time.monotonic() - started < 10
    s.start()
    assert s.client().admin_get_user(UserPoolId=pid, Username="tess")["Username"] == "tess"


def test_sigint_is_graceful(make_server):
    s = make_server()
    assert s.stop(signal.SIGINT, timeout=15) == 0


def test_sigterm_with_requests_in_flight(make_server):
    s = make_server()
    pid = s.client().create_user_pool(PoolName=unique("inflight"))["UserPool"]["Id"]
    results = []

    def hammer():
        c = s.client()
        for i in range(200):
            try:
                c.admin_create_user(UserPoolId=pid, Username=f"f{i}", MessageAction="SUPPRESS")
                results.append(("ok", f"f{i}"))
            except Exception as e:  # noqa: BLE001
                results.append(("err", type(e).__name__))
                return

    t = threading.Thread(target=hammer)
    t.start()
    time.sleep(0.3)
    code = s.stop(signal.SIGTERM, timeout=15)
    t.join(30)
    assert code == 0
    ok = [n for r, n in results if r == "ok"]
    s.start()
    present = set(all_usernames(s.client(), pid))
    assert set(ok) <= present, "a request answered 200 during shutdown was not kept"


def test_restart_keeps_master_key_and_client_secret(make_server):
    s = make_server()
    idp = s.client()
    pid = idp.create_user_pool(PoolName=unique("secret"))["UserPool"]["Id"]
    c = idp.create_user_pool_client(UserPoolId=pid, ClientName="b", GenerateSecret=True)[
        "UserPoolClient"]
    s.restart()
    d = s.client().describe_user_pool_client(UserPoolId=pid, ClientId=c["ClientId"])
    assert d["UserPoolClient"]["ClientSecret"] == c["ClientSecret"]
