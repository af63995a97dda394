"""Resource servers (custom OAuth scopes) end to end with boto3: the five operations, their
errors, paging, the per-pool limit, and that UpdateUserPool / DescribeUserPool leave them alone."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

IDENT = "https://photos.example.com"
SCOPES = [{"ScopeName": "read", "ScopeDescription": "Read photos"},
          {"ScopeName": "write", "ScopeDescription": "Upload photos"}]


def error_of(exc_info):
    err = exc_info.value.response["Error"]
    return err["Code"], err.get("Message", "")


def test_create_describe_update_delete(idp, plain_pool):
    pid = plain_pool["Id"]
    created = idp.create_resource_server(UserPoolId=pid, Identifier=IDENT, Name="Photos",
                                         Scopes=SCOPES)["ResourceServer"]
    assert created == {"UserPoolId": pid, "Identifier": IDENT, "Name": "Photos",
                       "Scopes": SCOPES}
    described = idp.describe_resource_server(UserPoolId=pid, Identifier=IDENT)["ResourceServer"]
    assert described == created

    updated = idp.update_resource_server(
        UserPoolId=pid, Identifier=IDENT, Name="Pictures",
        Scopes=[{"ScopeName": "admin", "ScopeDescription": "Everything"}])["ResourceServer"]
    assert updated["Name"] == "Pictures"
    assert updated["Scopes"] == [{"ScopeName": "admin", "ScopeDescription": "Everything"}]
    assert idp.describe_resource_server(UserPoolId=pid, Identifier=IDENT)["ResourceServer"] \
        == updated
    # Leaving Scopes out of an update removes them (the request replaces the server).
    bare = idp.update_resource_server(UserPoolId=pid, Identifier=IDENT,
                                      Name="Pictures")["ResourceServer"]
    assert bare["Scopes"] == []

    # Pool operations neither show nor drop them.
    described_pool = idp.describe_user_pool(UserPoolId=pid)["UserPool"]
    assert not any(k.startswith("_") for k in described_pool)
    idp.update_user_pool(UserPoolId=pid)
    assert idp.describe_resource_server(UserPoolId=pid, Identifier=IDENT)["ResourceServer"][
        "Name"] == "Pictures"

    assert idp.delete_resource_server(UserPoolId=pid, Identifier=IDENT)["ResponseMetadata"][
        "HTTPStatusCode"] == 200
    with pytest.raises(ClientError) as e:
        idp.describe_resource_server(UserPoolId=pid, Identifier=IDENT)
    assert error_of(e) == ("ResourceNotFoundException", f"Resource server {IDENT} does not exist.")


def test_errors(idp, idp_raw, plain_pool):
    pid = plain_pool["Id"]
    idp.create_resource_server(UserPoolId=pid, Identifier=IDENT, Name="Photos", Scopes=SCOPES)
    with pytest.raises(ClientError) as e:
        idp.create_resource_server(UserPoolId=pid, Identifier=IDENT, Name="Again")
    assert error_of(e) == (
        "InvalidParameterException",
        f"A resource server with identifier {IDENT} already exists in this user pool.")
    with pytest.raises(ClientError) as e:
        idp.create_resource_server(UserPoolId=pid, Identifier="dup", Name="Dup",
                                   Scopes=[SCOPES[0], SCOPES[0]])
    assert error_of(e) == ("InvalidParameterException", "Duplicate scope name: read")
    for op in ("delete_resource_server", "describe_resource_server"):
        with pytest.raises(ClientError) as e:
            getattr(idp, op)(UserPoolId=pid, Identifier="nothere")
        assert error_of(e) == ("ResourceNotFoundException",
                               "Resource server nothere does not exist.")
    with pytest.raises(ClientError) as e:
        idp.update_resource_server(UserPoolId=pid, Identifier="nothere", Name="x")
    assert error_of(e)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        idp.create_resource_server(UserPoolId="us-east-1_nothere0", Identifier="x", Name="x")
    assert error_of(e) == ("ResourceNotFoundException",
                           "User pool us-east-1_nothere0 does not exist.")
    # The model's constraints at the door: a '/' in a scope name, a quote in an identifier.
    with pytest.raises(ClientError) as e:
        idp_raw.create_resource_server(UserPoolId=pid, Identifier="x", Name="x",
                                       Scopes=[{"ScopeName": "a/b", "ScopeDescription": "d"}])
    assert error_of(e)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as e:
        idp_raw.create_resource_server(UserPoolId=pid, Identifier='bad"id', Name="x")
    assert error_of(e)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as e:
        idp_raw.list_resource_servers(UserPoolId=pid, MaxResults=51)
    assert error_of(e)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as e:
        idp.list_resource_servers(UserPoolId=pid, MaxResults=5, NextToken="forged")
    assert error_of(e)[0] == "InvalidParameterException"


def test_list_pages_and_limit(idp, plain_pool):
    pid = plain_pool["Id"]
    for i in range(25):
        idp.create_resource_server(UserPoolId=pid, Identifier=f"rs{i:02d}", Name=f"n{i}",
                                   Scopes=[{"ScopeName": "s", "ScopeDescription": "d"}])
    with pytest.raises(ClientError) as e:
        idp.create_resource_server(UserPoolId=pid, Identifier="rs25", Name="one too many")
    assert error_of(e) == (
        "LimitExceededException",
        "The number of resource servers in this user pool has reached the limit of 25.")

    seen, token = [], None
    while True:
        kwargs = {"UserPoolId": pid, "MaxResults": 10}
        if token:
            kwargs["NextToken"] = token
        page = idp.list_resource_servers(**kwargs)
        assert len(page["ResourceServers"]) <= 10
        seen += [rs["Identifier"] for rs in page["ResourceServers"]]
        token = page.get("NextToken")
        if not token:
            break
    assert seen == [f"rs{i:02d}" for i in range(25)]
    # The paginator boto3 ships walks the same pages.
    names = [rs["Identifier"]
             for p in idp.get_paginator("list_resource_servers").paginate(
                 UserPoolId=pid, PaginationConfig={"PageSize": 7})
             for rs in p["ResourceServers"]]
    assert names == seen
    first = idp.list_resource_servers(UserPoolId=pid, MaxResults=1)["ResourceServers"][0]
    assert first == {"UserPoolId": pid, "Identifier": "rs00", "Name": "n0",
                     "Scopes": [{"ScopeName": "s", "ScopeDescription": "d"}]}

    # A deleted pool takes them along.
    idp.delete_user_pool(UserPoolId=pid)
    with pytest.raises(ClientError) as e:
        idp.list_resource_servers(UserPoolId=pid, MaxResults=10)
    assert error_of(e)[0] == "ResourceNotFoundException"


def test_app_client_scopes_come_from_resource_servers(idp, plain_pool):
    pid = plain_pool["Id"]
    oauth = {"AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
             "CallbackURLs": ["https://app.example.com/cb"]}
    with pytest.raises(ClientError) as e:
        idp.create_user_pool_client(UserPoolId=pid, ClientName="web",
                                    AllowedOAuthScopes=["openid", f"{IDENT}/read"], **oauth)
    assert error_of(e) == ("ScopeDoesNotExistException", f"Invalid scope requested: {IDENT}/read")
    idp.create_resource_server(UserPoolId=pid, Identifier=IDENT, Name="Photos", Scopes=SCOPES)
    client = idp.create_user_pool_client(
        UserPoolId=pid, ClientName="web",
        AllowedOAuthScopes=["openid", "email", f"{IDENT}/read", f"{IDENT}/write"],
        **oauth)["UserPoolClient"]
    assert client["AllowedOAuthScopes"] == ["openid", "email", f"{IDENT}/read", f"{IDENT}/write"]
    with pytest.raises(ClientError) as e:
        idp.update_user_pool_client(UserPoolId=pid, ClientId=client["ClientId"],
                                    AllowedOAuthScopes=[f"{IDENT}/delete"], **oauth)
    assert error_of(e) == ("ScopeDoesNotExistException",
                           f"Invalid scope requested: {IDENT}/delete")
