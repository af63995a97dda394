"""User pools, app clients, custom attributes and tags through boto3."""

import datetime
import re

import pytest
from botocore.exceptions import ClientError

import harness
from harness import unique

POOL_ID_RE = re.compile(r"^us-east-1_[0-9A-Za-z]+$")


def error_of(exc_info):
    err = exc_info.value.response["Error"]
    return err["Code"], err.get("Message", "")


def test_create_user_pool_defaults(idp):
    name = unique("defaults")
    p = idp.create_user_pool(PoolName=name)["UserPool"]
    assert POOL_ID_RE.match(p["Id"]), p["Id"]
    assert p["Name"] == name
    assert re.match(r"^arn:aws:cognito-idp:us-east-1:\d{12}:userpool/" + re.escape(p["Id"]) + "$",
                    p["Arn"]), p.get("Arn")
    assert isinstance(p["CreationDate"], datetime.datetime)
    assert isinstance(p["LastModifiedDate"], datetime.datetime)
    assert p["MfaConfiguration"] == "OFF"
    assert p.get("EstimatedNumberOfUsers", 0) == 0
    policy = p["Policies"]["PasswordPolicy"]
    assert policy["MinimumLength"] == 8
    assert policy["RequireUppercase"] and policy["RequireLowercase"]
    assert policy["RequireNumbers"] and policy["RequireSymbols"]
    schema = {a["Name"]: a for a in p["SchemaAttributes"]}
    for standard in ("sub", "email", "email_verified", "phone_number", "name", "given_name",
                     "family_name", "updated_at"):
        assert standard in schema, standard
    assert schema["sub"]["Mutable"] is False
    assert schema["sub"]["Required"] is True


def test_create_with_username_attributes_and_schema(idp):
    p = idp.create_user_pool(
        PoolName=unique("demo"), UsernameAttributes=["email"],
        Schema=[{"Name": "email", "Required": True, "AttributeDataType": "String",
                 "Mutable": True}],
        AutoVerifiedAttributes=["email"],
        UsernameConfiguration={"CaseSensitive": False},
    )["UserPool"]
    assert p["UsernameAttributes"] == ["email"]
    assert p["AutoVerifiedAttributes"] == ["email"]
    assert p["UsernameConfiguration"] == {"CaseSensitive": False}
    email = next(a for a in p["SchemaAttributes"] if a["Name"] == "email")
    assert email["Required"] is True


def test_custom_schema_attributes(idp):
    p = idp.create_user_pool(
        PoolName=unique("custom"),
        Schema=[{"Name": "tier", "AttributeDataType": "String", "Mutable": True,
                 "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "16"}},
                {"Name": "score", "AttributeDataType": "Number",
                 "NumberAttributeConstraints": {"MinValue": "0", "MaxValue": "100"}}],
    )["UserPool"]
    schema = {a["Name"]: a for a in p["SchemaAttributes"]}
    assert schema["custom:tier"]["AttributeDataType"] == "String"
    assert schema["custom:tier"]["StringAttributeConstraints"]["MaxLength"] == "16"
    assert schema["custom:score"]["AttributeDataType"] == "Number"


def test_describe_user_pool(idp):
    created = idp.create_user_pool(PoolName=unique("describe"),
                                   Policies={"PasswordPolicy": {"MinimumLength": 12}})
    pid = created["UserPool"]["Id"]
    p = idp.describe_user_pool(UserPoolId=pid)["UserPool"]
    assert p["Id"] == pid
    assert p["Name"] == created["UserPool"]["Name"]
    assert p["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    assert p["CreationDate"] == created["UserPool"]["CreationDate"]


def test_describe_missing_pool(idp):
    with pytest.raises(ClientError) as e:
        idp.describe_user_pool(UserPoolId="us-east-1_NoSuchPool")
    assert error_of(e) == ("ResourceNotFoundException",
                           "User pool us-east-1_NoSuchPool does not exist.")


def test_update_user_pool(idp):
    pid = idp.create_user_pool(PoolName=unique("update"))["UserPool"]["Id"]
    before = idp.describe_user_pool(UserPoolId=pid)["UserPool"]
    idp.update_user_pool(
        UserPoolId=pid,
        Policies={"PasswordPolicy": {"MinimumLength": 10, "RequireSymbols": False,
                                     "RequireNumbers": True, "RequireUppercase": True,
                                     "RequireLowercase": True}},
        UserPoolTags={"team": "identity"},
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
    )
    after = idp.describe_user_pool(UserPoolId=pid)["UserPool"]
    assert after["Policies"]["PasswordPolicy"]["MinimumLength"] == 10
    assert after["Policies"]["PasswordPolicy"]["RequireSymbols"] is False
    assert after["UserPoolTags"] == {"team": "identity"}
    assert after["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert after["Name"] == before["Name"], "UpdateUserPool cannot rename"
    assert after["LastModifiedDate"] >= before["LastModifiedDate"]


def test_update_missing_pool(idp):
    with pytest.raises(ClientError) as e:
        idp.update_user_pool(UserPoolId="us-east-1_NoSuchPool")
    assert error_of(e)[0] == "ResourceNotFoundException"


def test_delete_user_pool(idp):
    pid = idp.create_user_pool(PoolName=unique("delete"))["UserPool"]["Id"]
    idp.delete_user_pool(UserPoolId=pid)
    with pytest.raises(ClientError) as e:
        idp.describe_user_pool(UserPoolId=pid)
    assert error_of(e) == ("ResourceNotFoundException", f"User pool {pid} does not exist.")
    with pytest.raises(ClientError) as e:
        idp.delete_user_pool(UserPoolId=pid)
    assert error_of(e)[0] == "ResourceNotFoundException"
    listed = idp.get_paginator("list_user_pools").paginate(MaxResults=60).build_full_result()
    assert pid not in {p["Id"] for p in listed["UserPools"]}


def test_list_user_pools_paginates(idp):
    mine = {idp.create_user_pool(PoolName=unique("list"))["UserPool"]["Id"] for _ in range(7)}
    seen = []
    pages = 0
    for page in idp.get_paginator("list_user_pools").paginate(
            MaxResults=60, PaginationConfig={"PageSize": 2}):
        pages += 1
        assert len(page["UserPools"]) <= 2
        for p in page["UserPools"]:
            assert set(p) >= {"Id", "Name"}
            seen.append(p["Id"])
    assert len(seen) == len(set(seen)), "a pool appeared on two pages"
    assert mine <= set(seen)
    assert pages >= 4


def test_list_user_pools_bad_token(idp):
    with pytest.raises(ClientError) as e:
        idp.list_user_pools(MaxResults=5, NextToken="not-a-token")
    assert error_of(e)[0] == "InvalidParameterException"


def test_pool_ids_are_unique_and_random(idp):
    ids = [idp.create_user_pool(PoolName=unique("ids"))["UserPool"]["Id"] for _ in range(5)]
    assert len(set(ids)) == 5


# -- app clients ------------------------------------------------------------------------------


def test_client_lifecycle(idp, plain_pool):
    pid = plain_pool["Id"]
    c = idp.create_user_pool_client(
        UserPoolId=pid, ClientName="web",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]
    cid = c["ClientId"]
    assert re.match(r"^[\w+]+$", cid) and len(cid) <= 128
    assert c["UserPoolId"] == pid
    assert c["ClientName"] == "web"
    assert "ClientSecret" not in c
    assert isinstance(c["CreationDate"], datetime.datetime)
    assert sorted(c["ExplicitAuthFlows"]) == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]

    d = idp.describe_user_pool_client(UserPoolId=pid, ClientId=cid)["UserPoolClient"]
    assert d["ClientId"] == cid and d["ClientName"] == "web"

    u = idp.update_user_pool_client(UserPoolId=pid, ClientId=cid, ClientName="web2",
                                    RefreshTokenValidity=10)["UserPoolClient"]
    assert u["ClientName"] == "web2"
    assert u["RefreshTokenValidity"] == 10

    listed = idp.list_user_pool_clients(UserPoolId=pid, MaxResults=60)["UserPoolClients"]
    assert {"ClientId": cid, "UserPoolId": pid, "ClientName": "web2"} in listed

    idp.delete_user_pool_client(UserPoolId=pid, ClientId=cid)
    with pytest.raises(ClientError) as e:
        idp.describe_user_pool_client(UserPoolId=pid, ClientId=cid)
    assert error_of(e) == ("ResourceNotFoundException", f"User pool client {cid} does not exist.")


def test_client_with_secret(idp, plain_pool):
    c = idp.create_user_pool_client(UserPoolId=plain_pool["Id"], ClientName="backend",
                                    GenerateSecret=True)["UserPoolClient"]
    secret = c["ClientSecret"]
    assert 24 <= len(secret) <= 64 and re.match(r"^[\w+]+$", secret)
    d = idp.describe_user_pool_client(UserPoolId=plain_pool["Id"],
                                      ClientId=c["ClientId"])["UserPoolClient"]
    assert d["ClientSecret"] == secret


def test_client_in_missing_pool(idp):
    with pytest.raises(ClientError) as e:
        idp.create_user_pool_client(UserPoolId="us-east-1_NoSuchPool", ClientName="x")
    assert error_of(e)[0] == "ResourceNotFoundException"


def test_client_of_other_pool_is_not_found(idp, plain_pool):
    other = idp.create_user_pool(PoolName=unique("other"))["UserPool"]["Id"]
    cid = idp.create_user_pool_client(UserPoolId=other, ClientName="x")["UserPoolClient"][
        "ClientId"]
    with pytest.raises(ClientError) as e:
        idp.describe_user_pool_client(UserPoolId=plain_pool["Id"], ClientId=cid)
    assert error_of(e)[0] == "ResourceNotFoundException"


def test_list_clients_paginates(idp, plain_pool):
    pid = plain_pool["Id"]
    made = {idp.create_user_pool_client(UserPoolId=pid, ClientName=f"c{i}")["UserPoolClient"][
        "ClientId"] for i in range(5)}
    seen = []
    for page in idp.get_paginator("list_user_pool_clients").paginate(
            UserPoolId=pid, PaginationConfig={"PageSize": 2}):
        assert len(page["UserPoolClients"]) <= 2
        seen += [c["ClientId"] for c in page["UserPoolClients"]]
    assert sorted(seen) == sorted(made)


def test_deleting_pool_deletes_its_clients(idp):
    pid = idp.create_user_pool(PoolName=unique("cascade"))["UserPool"]["Id"]
    cid = idp.create_user_pool_client(UserPoolId=pid, ClientName="x")["UserPoolClient"][
        "ClientId"]
    idp.delete_user_pool(UserPoolId=pid)
    with pytest.raises(ClientError) as e:
        idp.describe_user_pool_client(UserPoolId=pid, ClientId=cid)
    assert error_of(e)[0] == "ResourceNotFoundException"


# -- custom attributes ------------------------------------------------------------------------


def test_add_custom_attributes(idp, plain_pool):
    pid = plain_pool["Id"]
    idp.add_custom_attributes(UserPoolId=pid, CustomAttributes=[
        {"Name": "plan", "AttributeDataType": "String", "Mutable": True}])
    schema = {a["Name"]: a for a in idp.describe_user_pool(UserPoolId=pid)["UserPool"][
        "SchemaAttributes"]}
    assert "custom:plan" in schema
    assert schema["custom:plan"]["AttributeDataType"] == "String"
    with pytest.raises(ClientError) as e:
        idp.add_custom_attributes(UserPoolId=pid, CustomAttributes=[
            {"Name": "plan", "AttributeDataType": "String"}])
    assert error_of(e)[0] == "InvalidParameterException"


# -- tags -------------------------------------------------------------------------------------


def test_tags(idp):
    p = idp.create_user_pool(PoolName=unique("tags"), UserPoolTags={"env": "test"})["UserPool"]
    arn = p["Arn"]
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "test"}
    idp.tag_resource(ResourceArn=arn, Tags={"owner": "ada", "env": "prod"})
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "prod", "owner": "ada"}
    idp.untag_resource(ResourceArn=arn, TagKeys=["env"])
    assert idp.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"owner": "ada"}
    assert idp.describe_user_pool(UserPoolId=p["Id"])["UserPool"]["UserPoolTags"] == {
        "owner": "ada"}


def test_tags_on_missing_pool(idp):
    arn = "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_NoSuchPool"
    with pytest.raises(ClientError) as e:
        idp.list_tags_for_resource(ResourceArn=arn)
    assert error_of(e)[0] == "ResourceNotFoundException"


def test_tags_with_malformed_arn(idp):
    with pytest.raises(ClientError) as e:
        idp.tag_resource(ResourceArn="arn:aws:s3:::some-bucket-name", Tags={"a": "b"})
    assert error_of(e)[0] in ("InvalidParameterException", "ResourceNotFoundException")


def test_pools_are_shared_by_both_clients(server, idp):
    """The CLI and boto3 see the same pools."""
    pid = idp.create_user_pool(PoolName=unique("shared"))["UserPool"]["Id"]
    out = server.aws("describe-user-pool", "--user-pool-id", pid)
    assert out.returncode == 0, out.stderr
    assert pid in out.stdout


def test_harness_sanity(server):
    assert harness.LISTENING_RE.search(server.log_text())
