"""Model validation errors, worded as AWS words them.

boto3 normally validates before sending, so these use a client with parameter_validation off:
what a hand-written client, an old SDK, or a newer one with other constraints would send.
AWS (Coral) words them: "1 validation error detected: Value 'V' at 'memberName' failed to
satisfy constraint: Member must ...", joined with "; " and counted when there are several.
"""

import pytest
from botocore.exceptions import ClientError

from harness import unique


def err(callable_, **kwargs):
    with pytest.raises(ClientError) as e:
        callable_(**kwargs)
    error = e.value.response["Error"]
    return error["Code"], error.get("Message", "")


def test_missing_required_member(idp_raw):
    code, msg = err(idp_raw.create_user_pool)
    assert code == "InvalidParameterException"
    assert msg == ("1 validation error detected: Value null at 'poolName' failed to satisfy "
                   "constraint: Member must not be null")


def test_pattern_violation(idp_raw):
    code, msg = err(idp_raw.describe_user_pool, UserPoolId="bad id!")
    assert code == "InvalidParameterException"
    assert msg == ("1 validation error detected: Value 'bad id!' at 'userPoolId' failed to "
                   "satisfy constraint: Member must satisfy regular expression pattern: "
                   "[\\w-]+_[0-9a-zA-Z]+")


def test_length_violation(idp_raw):
    name = "p" * 129
    code, msg = err(idp_raw.create_user_pool, PoolName=name)
    assert code == "InvalidParameterException"
    assert msg == (f"1 validation error detected: Value '{name}' at 'poolName' failed to satisfy "
                   "constraint: Member must have length less than or equal to 128")


def test_empty_string_too_short(idp_raw):
    code, msg = err(idp_raw.create_user_pool, PoolName="")
    assert code == "InvalidParameterException"
    assert "at 'poolName' failed to satisfy constraint: Member must have length greater than " \
           "or equal to 1" in msg


def test_range_violation(idp_raw, plain_pool):
    code, msg = err(idp_raw.list_users, UserPoolId=plain_pool["Id"], Limit=61)
    assert code == "InvalidParameterException"
    assert msg == ("1 validation error detected: Value '61' at 'limit' failed to satisfy "
                   "constraint: Member must have value less than or equal to 60")


def test_range_violation_low(idp_raw):
    code, msg = err(idp_raw.list_user_pools, MaxResults=0)
    assert code == "InvalidParameterException"
    assert msg == ("1 validation error detected: Value '0' at 'maxResults' failed to satisfy "
                   "constraint: Member must have value greater than or equal to 1")


def test_enum_violation(idp_raw):
    code, msg = err(idp_raw.create_user_pool, PoolName=unique("enum"), MfaConfiguration="MAYBE")
    assert code == "InvalidParameterException"
    assert msg.startswith("1 validation error detected: Value 'MAYBE' at 'mfaConfiguration' "
                          "failed to satisfy constraint: Member must satisfy enum value set: [")
    for v in ("OFF", "ON", "OPTIONAL"):
        assert v in msg


def test_nested_member_path(idp_raw):
    code, msg = err(idp_raw.create_user_pool, PoolName=unique("nested"),
                    Policies={"PasswordPolicy": {"MinimumLength": 5}})
    assert code == "InvalidParameterException"
    assert msg == ("1 validation error detected: Value '5' at 'policies.passwordPolicy."
                   "minimumLength' failed to satisfy constraint: Member must have value greater "
                   "than or equal to 6")


def test_two_errors_are_counted(idp_raw):
    code, msg = err(idp_raw.admin_get_user, UserPoolId="bad id!", Username="has space")
    assert code == "InvalidParameterException"
    assert msg.startswith("2 validation errors detected: ")
    assert "at 'userPoolId'" in msg and "at 'username'" in msg
    assert "; " in msg


def test_sensitive_values_are_not_echoed(idp_raw, plain_pool):
    # Username and Password are sensitive: AWS leaves their values out of the message.
    code, msg = err(idp_raw.admin_set_user_password, UserPoolId=plain_pool["Id"],
                    Username="alice", Password="has a space")
    assert code == "InvalidParameterException"
    assert "has a space" not in msg
    assert "at 'password'" in msg


def test_list_users_filter_syntax(idp, plain_pool):
    code, msg = err(idp.list_users, UserPoolId=plain_pool["Id"], Filter="email ~ nonsense")
    assert code == "InvalidParameterException"
    assert msg == "Error while parsing filter."


def test_list_users_filter_on_unsearchable_attribute(idp, plain_pool):
    code, _ = err(idp.list_users, UserPoolId=plain_pool["Id"], Filter='custom:plan = "x"')
    assert code == "InvalidParameterException"


def test_schema_too_many_attributes(idp_raw):
    schema = [{"Name": f"a{i}", "AttributeDataType": "String"} for i in range(51)]
    code, _ = err(idp_raw.create_user_pool, PoolName=unique("big"), Schema=schema)
    assert code == "InvalidParameterException"


def test_username_attributes_and_alias_attributes_conflict(idp):
    code, _ = err(idp.create_user_pool, PoolName=unique("conflict"),
                  UsernameAttributes=["email"], AliasAttributes=["email"])
    assert code == "InvalidParameterException"


def test_client_bad_auth_flow(idp_raw, plain_pool):
    code, _ = err(idp_raw.create_user_pool_client, UserPoolId=plain_pool["Id"],
                  ClientName="x", ExplicitAuthFlows=["NOT_A_FLOW"])
    assert code == "InvalidParameterException"


def test_cli_reports_validation_error(server):
    out = server.aws("describe-user-pool", "--user-pool-id", "us-east-1_NoSuchPool")
    assert out.returncode != 0
    assert "ResourceNotFoundException" in out.stderr
    assert "User pool us-east-1_NoSuchPool does not exist." in out.stderr
