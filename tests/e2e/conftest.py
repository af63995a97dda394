"""Fixtures: the real cognate binary on a free port, on SQLite or PostgreSQL.

The database comes from the environment:
  COGNATE_E2E_PG_DSN unset -> SQLite in each server's temp data dir;
  COGNATE_E2E_PG_DSN=DSN   -> every server gets a fresh database on that PostgreSQL server.
COGNATE_BIN (or COGNATE_BUILD_DIR) names the binary; default build/src/app/cognate.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import harness  # noqa: E402
from lambda_host import LambdaHost  # noqa: E402

_live_servers: list[harness.CognateServer] = []


def pytest_report_header(config):
    dsn = os.environ.get("COGNATE_E2E_PG_DSN")
    return [f"cognate: {harness.binary_path()} on {'PostgreSQL' if dsn else 'SQLite'}"]


@pytest.fixture(scope="session")
def pg_admin_dsn():
    return os.environ.get("COGNATE_E2E_PG_DSN") or None


@pytest.fixture(scope="session")
def backend(pg_admin_dsn):
    return "postgres" if pg_admin_dsn else "sqlite"


class ServerFactory:
    """Starts servers for one test or module and stops every one of them at the end."""

    def __init__(self, root: Path, pg_admin_dsn: str | None):
        self.root = root
        self.pg_admin_dsn = pg_admin_dsn
        self.servers: list[harness.CognateServer] = []
        self.databases: list[str] = []

    def __call__(self, name: str | None = None, database: str | None = None, **kwargs):
        name = name or f"data-{len(self.servers)}"
        if database is None and self.pg_admin_dsn:
            database = harness.create_pg_database(self.pg_admin_dsn)
            self.databases.append(database)
        server = harness.CognateServer(self.root / name, database=database, **kwargs)
        self.servers.append(server)
        _live_servers.append(server)
        server.start()
        return server

    def close(self):
        for s in self.servers:
            s.stop()
            if s in _live_servers:
                _live_servers.remove(s)
        for db in self.databases:
            harness.drop_pg_database(self.pg_admin_dsn, db)


@pytest.fixture
def make_server(tmp_path, pg_admin_dsn):
    factory = ServerFactory(tmp_path, pg_admin_dsn)
    yield factory
    factory.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory, pg_admin_dsn):
    """One server shared by the tests of a module (each test makes its own pools)."""
    root = tmp_path_factory.mktemp("srv")
    factory = ServerFactory(root, pg_admin_dsn)
    s = factory("data")
    yield s
    factory.close()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def idp(server):
    """boto3 cognito-idp client with client-side parameter validation (as users run it)."""
    return server.client()


@pytest.fixture(scope="module")
def idp_raw(server):
    """boto3 client that sends whatever it is given, to exercise server-side validation."""
    return server.client(validate=False)


@pytest.fixture
def pool(idp):
    """A fresh pool with email as username (the issue's demo pool)."""
    resp = idp.create_user_pool(
        PoolName=harness.unique("pool"),
        UsernameAttributes=["email"],
        Schema=[{"Name": "email", "Required": True, "AttributeDataType": "String",
                 "Mutable": True}],
    )
    return resp["UserPool"]


@pytest.fixture
def plain_pool(idp):
    """A fresh pool with free-form usernames."""
    return idp.create_user_pool(PoolName=harness.unique("plain"))["UserPool"]


@pytest.fixture(scope="module")
def lambda_host():
    """Factory: lambda_host("handlers/x_handlers.mjs") -> a started LambdaHost (paths relative to
    tests/e2e), one per module and path, stopped when the module's tests end."""
    hosts: dict[str, LambdaHost] = {}

    def start(handlers: str) -> LambdaHost:
        path = (Path(__file__).resolve().parent / handlers).resolve()
        if str(path) not in hosts:
            hosts[str(path)] = LambdaHost(path).start()
        return hosts[str(path)]

    yield start
    for host in hosts.values():
        host.stop()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    if rep.failed and _live_servers:
        for s in _live_servers:
            tail = s.log_text()[-4000:]
            rep.sections.append((f"cognate log {s.data_dir.name}", tail))
