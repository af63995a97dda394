"""Paging through many pages with boto3's paginators: nothing lost, nothing repeated, tokens
that survive writes between pages."""

import concurrent.futures

import pytest

from harness import unique

N_USERS = 157  # > 2 full pages of 60, and not a multiple of any page size used here
N_GROUPS = 23


@pytest.fixture(scope="module")
def big_pool(server, idp):
    pid = idp.create_user_pool(PoolName=unique("big"))["UserPool"]["Id"]

    def make(i):
        c = clients[i % len(clients)]
        c.admin_create_user(UserPoolId=pid, Username=f"user{i:04d}", MessageAction="SUPPRESS",
                            UserAttributes=[{"Name": "email",
                                             "Value": f"user{i:04d}@example.com"}])

    clients = [server.client() for _ in range(4)]
    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        list(ex.map(make, range(N_USERS)))
    idp.create_group(UserPoolId=pid, GroupName="everyone")
    for i in range(0, N_USERS, 3):
        idp.admin_add_user_to_group(UserPoolId=pid, Username=f"user{i:04d}",
                                    GroupName="everyone")
    for i in range(N_GROUPS):
        idp.create_group(UserPoolId=pid, GroupName=f"group{i:02d}")
    return pid


@pytest.mark.parametrize("page_size", [1, 7, 60])
def test_list_users_pages(idp, big_pool, page_size):
    names, pages = [], 0
    for page in idp.get_paginator("list_users").paginate(
            UserPoolId=big_pool, PaginationConfig={"PageSize": page_size}):
        pages += 1
        assert len(page["Users"]) <= page_size
        names += [u["Username"] for u in page["Users"]]
    assert len(names) == N_USERS
    assert len(set(names)) == N_USERS
    assert pages >= -(-N_USERS // page_size)


def test_list_users_default_page_is_at_most_60(idp, big_pool):
    page = idp.list_users(UserPoolId=big_pool)
    assert 0 < len(page["Users"]) <= 60
    assert "PaginationToken" in page


def test_list_users_last_page_has_no_token(idp, big_pool):
    token, last = None, None
    while True:
        kwargs = {"UserPoolId": big_pool, "Limit": 60}
        if token:
            kwargs["PaginationToken"] = token
        last = idp.list_users(**kwargs)
        token = last.get("PaginationToken")
        if not token:
            break
    assert len(last["Users"]) == N_USERS % 60


def test_list_users_filtered_pages(idp, big_pool):
    # user0100..user0156 have emails starting "user01": 57 of them.
    names = []
    for page in idp.get_paginator("list_users").paginate(
            UserPoolId=big_pool, Filter='email ^= "user01"', PaginationConfig={"PageSize": 5}):
        names += [u["Username"] for u in page["Users"]]
    assert sorted(names) == [f"user{i:04d}" for i in range(100, N_USERS)]


def test_token_survives_writes_between_pages(idp, big_pool):
    first = idp.list_users(UserPoolId=big_pool, Limit=10)
    seen = {u["Username"] for u in first["Users"]}
    # Writes between pages must not make the next page repeat or skip existing users.
    pid = big_pool
    idp.admin_create_user(UserPoolId=pid, Username="zz-late", MessageAction="SUPPRESS")
    token = first["PaginationToken"]
    while token:
        page = idp.list_users(UserPoolId=pid, Limit=10, PaginationToken=token)
        for u in page["Users"]:
            assert u["Username"] not in seen, f"{u['Username']} repeated"
            seen.add(u["Username"])
        token = page.get("PaginationToken")
    assert {f"user{i:04d}" for i in range(N_USERS)} <= seen
    idp.admin_delete_user(UserPoolId=pid, Username="zz-late")


def test_token_of_one_pool_is_rejected_in_another(idp, big_pool, plain_pool):
    token = idp.list_users(UserPoolId=big_pool, Limit=5)["PaginationToken"]
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as e:
        idp.list_users(UserPoolId=plain_pool["Id"], Limit=5, PaginationToken=token)
    assert e.value.response["Error"]["Code"] == "InvalidParameterException"


def test_list_users_in_group_pages(idp, big_pool):
    names = []
    for page in idp.get_paginator("list_users_in_group").paginate(
            UserPoolId=big_pool, GroupName="everyone", PaginationConfig={"PageSize": 4}):
        assert len(page["Users"]) <= 4
        names += [u["Username"] for u in page["Users"]]
    assert sorted(names) == [f"user{i:04d}" for i in range(0, N_USERS, 3)]


def test_list_groups_pages(idp, big_pool):
    names = []
    for page in idp.get_paginator("list_groups").paginate(
            UserPoolId=big_pool, PaginationConfig={"PageSize": 4}):
        assert len(page["Groups"]) <= 4
        names += [g["GroupName"] for g in page["Groups"]]
    assert sorted(names) == sorted(["everyone"] + [f"group{i:02d}" for i in range(N_GROUPS)])


def test_admin_list_groups_for_user_pages(idp, big_pool):
    pid = big_pool
    for i in range(N_GROUPS):
        idp.admin_add_user_to_group(UserPoolId=pid, Username="user0001",
                                    GroupName=f"group{i:02d}")
    names = []
    for page in idp.get_paginator("admin_list_groups_for_user").paginate(
            UserPoolId=pid, Username="user0001", PaginationConfig={"PageSize": 5}):
        assert len(page["Groups"]) <= 5
        names += [g["GroupName"] for g in page["Groups"]]
    assert sorted(names) == [f"group{i:02d}" for i in range(N_GROUPS)]


def test_cli_auto_paginates(server, big_pool):
    import json

    out = server.aws("list-users", "--user-pool-id", big_pool, "--page-size", "25")
    assert out.returncode == 0, out.stderr
    users = json.loads(out.stdout)["Users"]
    assert len({u["Username"] for u in users}) == N_USERS


@pytest.mark.parametrize("where", ["start", "middle", "end"])
def test_tampered_token_is_rejected(idp, big_pool, where):
    """A valid token with one character changed fails its MAC: never a different page."""
    from botocore.exceptions import ClientError

    token = idp.list_users(UserPoolId=big_pool, Limit=5)["PaginationToken"]
    i = {"start": 0, "middle": len(token) // 2, "end": len(token) - 1}[where]
    flipped = "B" if token[i] != "B" else "C"
    tampered = token[:i] + flipped + token[i + 1:]
    with pytest.raises(ClientError) as e:
        idp.list_users(UserPoolId=big_pool, Limit=5, PaginationToken=tampered)
    assert e.value.response["Error"]["Code"] == "InvalidParameterException"
