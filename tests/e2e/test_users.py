"""Admin user operations through boto3: the full lifecycle and its errors."""

import concurrent.futures
import datetime
import re

import pytest
from botocore.exceptions import ClientError

from harness import unique

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def error_of(exc_info):
    err = exc_info.value.response["Error"]
    return err["Code"], err.get("Message", "")


def attrs(user_or_resp):
    items = user_or_resp.get("UserAttributes", user_or_resp.get("Attributes", []))
    return {a["Name"]: a["Value"] for a in items}


def create(idp, pool_id, username, *, email=None, extra=(), **kwargs):
    ua = list(extra)
    if email:
        ua.append({"Name": "email", "Value": email})
    kwargs.setdefault("MessageAction", "SUPPRESS")
    return idp.admin_create_user(UserPoolId=pool_id, Username=username, UserAttributes=ua,
                                 **kwargs)["User"]


def test_create_and_get(idp, plain_pool):
    pid = plain_pool["Id"]
    u = create(idp, pid, "alice", email="alice@example.com",
               extra=[{"Name": "given_name", "Value": "Alice"}],
               TemporaryPassword="Temp#Passw0rd")
    assert u["Username"] == "alice"
    assert u["Enabled"] is True
    assert u["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert isinstance(u["UserCreateDate"], datetime.datetime)
    a = attrs(u)
    assert UUID_RE.match(a["sub"]), a
    assert a["email"] == "alice@example.com"
    assert a["given_name"] == "Alice"

    g = idp.admin_get_user(UserPoolId=pid, Username="alice")
    assert g["Username"] == "alice"
    assert g["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    assert g["Enabled"] is True
    assert attrs(g)["sub"] == a["sub"]
    assert isinstance(g["UserLastModifiedDate"], datetime.datetime)


def test_email_as_username(idp, pool):
    pid = pool["Id"]
    u = create(idp, pid, "ada@example.com", email="ada@example.com")
    # With UsernameAttributes=[email] the username is generated (the sub) and the email signs in.
    assert u["Username"] != "ada@example.com"
    assert UUID_RE.match(u["Username"]), u["Username"]
    g = idp.admin_get_user(UserPoolId=pid, Username="ada@example.com")
    assert g["Username"] == u["Username"]
    assert attrs(g)["email"] == "ada@example.com"
    by_name = idp.admin_get_user(UserPoolId=pid, Username=u["Username"])
    assert attrs(by_name)["email"] == "ada@example.com"


def test_email_as_username_rejects_non_email(idp, pool):
    with pytest.raises(ClientError) as e:
        create(idp, pool["Id"], "not-an-email")
    assert error_of(e) == ("InvalidParameterException", "Username should be an email.")


def test_email_as_username_duplicate(idp, pool):
    create(idp, pool["Id"], "dup@example.com", email="dup@example.com")
    with pytest.raises(ClientError) as e:
        create(idp, pool["Id"], "dup@example.com", email="dup@example.com")
    code, msg = error_of(e)
    assert code == "UsernameExistsException"
    assert msg == "An account with the given email already exists."


def test_duplicate_username(idp, plain_pool):
    create(idp, plain_pool["Id"], "bob")
    with pytest.raises(ClientError) as e:
        create(idp, plain_pool["Id"], "bob")
    assert error_of(e) == ("UsernameExistsException", "User account already exists")


def test_required_attribute_missing(idp):
    pid = idp.create_user_pool(
        PoolName=unique("required"),
        Schema=[{"Name": "email", "Required": True, "AttributeDataType": "String",
                 "Mutable": True}])["UserPool"]["Id"]
    with pytest.raises(ClientError) as e:
        idp.admin_create_user(UserPoolId=pid, Username="xavier", MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "given_name", "Value": "X"}])
    code, msg = error_of(e)
    assert code == "InvalidParameterException"
    assert "email" in msg


def test_unknown_attribute(idp, plain_pool):
    with pytest.raises(ClientError) as e:
        create(idp, plain_pool["Id"], "carl", extra=[{"Name": "custom:nope", "Value": "1"}])
    assert error_of(e)[0] == "InvalidParameterException"


def test_temporary_password_must_meet_policy(idp, plain_pool):
    with pytest.raises(ClientError) as e:
        create(idp, plain_pool["Id"], "weak", TemporaryPassword="short")
    assert error_of(e)[0] == "InvalidPasswordException"


def test_get_missing_user(idp, plain_pool):
    with pytest.raises(ClientError) as e:
        idp.admin_get_user(UserPoolId=plain_pool["Id"], Username="nobody")
    assert error_of(e) == ("UserNotFoundException", "User does not exist.")


def test_user_in_missing_pool(idp):
    with pytest.raises(ClientError) as e:
        idp.admin_get_user(UserPoolId="us-east-1_NoSuchPool", Username="nobody")
    assert error_of(e)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        create(idp, "us-east-1_NoSuchPool", "nobody")
    assert error_of(e)[0] == "ResourceNotFoundException"


def test_usernames_are_case_sensitive_by_default(idp, plain_pool):
    # Through the API (unlike the console) a pool without UsernameConfiguration is case-sensitive.
    pid = plain_pool["Id"]
    create(idp, pid, "Grace")
    with pytest.raises(ClientError) as e:
        idp.admin_get_user(UserPoolId=pid, Username="grace")
    assert error_of(e)[0] == "UserNotFoundException"
    create(idp, pid, "grace")


def test_case_insensitive_pool(idp):
    pid = idp.create_user_pool(PoolName=unique("ci"),
                               UsernameConfiguration={"CaseSensitive": False})["UserPool"]["Id"]
    create(idp, pid, "Hedy")
    assert idp.admin_get_user(UserPoolId=pid, Username="hedy")["Username"] == "Hedy"
    with pytest.raises(ClientError) as e:
        create(idp, pid, "HEDY")
    assert error_of(e)[0] == "UsernameExistsException"


def test_case_sensitive_pool(idp):
    pid = idp.create_user_pool(PoolName=unique("cs"),
                               UsernameConfiguration={"CaseSensitive": True})["UserPool"]["Id"]
    create(idp, pid, "Linus")
    create(idp, pid, "linus")
    assert idp.admin_get_user(UserPoolId=pid, Username="linus")["Username"] == "linus"
    assert idp.admin_get_user(UserPoolId=pid, Username="Linus")["Username"] == "Linus"


def test_disable_enable(idp, plain_pool):
    pid = plain_pool["Id"]
    create(idp, pid, "dora")
    idp.admin_disable_user(UserPoolId=pid, Username="dora")
    assert idp.admin_get_user(UserPoolId=pid, Username="dora")["Enabled"] is False
    idp.admin_enable_user(UserPoolId=pid, Username="dora")
    assert idp.admin_get_user(UserPoolId=pid, Username="dora")["Enabled"] is True
    for op in (idp.admin_disable_user, idp.admin_enable_user):
        with pytest.raises(ClientError) as e:
            op(UserPoolId=pid, Username="ghost")
        assert error_of(e) == ("UserNotFoundException", "User does not exist.")


def test_update_and_delete_attributes(idp, plain_pool):
    pid = plain_pool["Id"]
    create(idp, pid, "eve", email="eve@example.com")
    before = idp.admin_get_user(UserPoolId=pid, Username="eve")
    idp.admin_update_user_attributes(UserPoolId=pid, Username="eve", UserAttributes=[
        {"Name": "given_name", "Value": "Eve"}, {"Name": "family_name", "Value": "Smith"},
        {"Name": "email", "Value": "eve2@example.com"}])
    a = attrs(idp.admin_get_user(UserPoolId=pid, Username="eve"))
    assert a["given_name"] == "Eve" and a["family_name"] == "Smith"
    assert a["email"] == "eve2@example.com"
    assert a["sub"] == attrs(before)["sub"]

    idp.admin_delete_user_attributes(UserPoolId=pid, Username="eve",
                                     UserAttributeNames=["family_name"])
    a = attrs(idp.admin_get_user(UserPoolId=pid, Username="eve"))
    assert "family_name" not in a and a["given_name"] == "Eve"


def test_sub_is_immutable(idp, plain_pool):
    pid = plain_pool["Id"]
    create(idp, pid, "frank")
    with pytest.raises(ClientError) as e:
        idp.admin_update_user_attributes(UserPoolId=pid, Username="frank",
                                         UserAttributes=[{"Name": "sub", "Value": "x"}])
    assert error_of(e)[0] == "InvalidParameterException"


def test_required_attribute_cannot_be_deleted(idp, pool):
    pid = pool["Id"]
    u = create(idp, pid, "req@example.com", email="req@example.com")
    with pytest.raises(ClientError) as e:
        idp.admin_delete_user_attributes(UserPoolId=pid, Username=u["Username"],
                                         UserAttributeNames=["email"])
    assert error_of(e)[0] == "InvalidParameterException"


def test_update_attributes_missing_user(idp, plain_pool):
    with pytest.raises(ClientError) as e:
        idp.admin_update_user_attributes(UserPoolId=plain_pool["Id"], Username="ghost",
                                         UserAttributes=[{"Name": "name", "Value": "x"}])
    assert error_of(e) == ("UserNotFoundException", "User does not exist.")


def test_set_password(idp, plain_pool):
    pid = plain_pool["Id"]
    create(idp, pid, "gina")
    idp.admin_set_user_password(UserPoolId=pid, Username="gina", Password="N3w#Password!",
                                Permanent=True)
    assert idp.admin_get_user(UserPoolId=pid, Username="gina")["UserStatus"] == "CONFIRMED"
    idp.admin_set_user_password(UserPoolId=pid, Username="gina", Password="An0ther#Pass",
                                Permanent=False)
    assert idp.admin_get_user(UserPoolId=pid,
                              Username="gina")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    with pytest.raises(ClientError) as e:
        idp.admin_set_user_password(UserPoolId=pid, Username="gina", Password="weak",
                                    Permanent=True)
    assert error_of(e)[0] == "InvalidPasswordException"
    with pytest.raises(ClientError) as e:
        idp.admin_set_user_password(UserPoolId=pid, Username="ghost", Password="N3w#Password!",
                                    Permanent=True)
    assert error_of(e) == ("UserNotFoundException", "User does not exist.")


def test_reset_password(idp, plain_pool):
    pid = plain_pool["Id"]
    create(idp, pid, "hal", email="hal@example.com",
           extra=[{"Name": "email_verified", "Value": "true"}])
    idp.admin_set_user_password(UserPoolId=pid, Username="hal", Password="N3w#Password!",
                                Permanent=True)
    idp.admin_reset_user_password(UserPoolId=pid, Username="hal")
    assert idp.admin_get_user(UserPoolId=pid, Username="hal")["UserStatus"] == "RESET_REQUIRED"
    with pytest.raises(ClientError) as e:
        idp.admin_reset_user_password(UserPoolId=pid, Username="ghost")
    assert error_of(e)[0] == "UserNotFoundException"


def test_confirm_sign_up_of_force_change_password_user(idp, plain_pool):
    pid = plain_pool["Id"]
    create(idp, pid, "ivan")
    with pytest.raises(ClientError) as e:
        idp.admin_confirm_sign_up(UserPoolId=pid, Username="ivan")
    assert error_of(e)[0] == "NotAuthorizedException"
    with pytest.raises(ClientError) as e:
        idp.admin_confirm_sign_up(UserPoolId=pid, Username="ghost")
    assert error_of(e)[0] == "UserNotFoundException"


def test_delete_user(idp, plain_pool):
    pid = plain_pool["Id"]
    create(idp, pid, "judy")
    idp.admin_delete_user(UserPoolId=pid, Username="judy")
    with pytest.raises(ClientError) as e:
        idp.admin_get_user(UserPoolId=pid, Username="judy")
    assert error_of(e) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as e:
        idp.admin_delete_user(UserPoolId=pid, Username="judy")
    assert error_of(e) == ("UserNotFoundException", "User does not exist.")
    # The name is free again.
    create(idp, pid, "judy")


def test_users_are_per_pool(idp, plain_pool):
    other = idp.create_user_pool(PoolName=unique("other"))["UserPool"]["Id"]
    create(idp, plain_pool["Id"], "kim")
    with pytest.raises(ClientError) as e:
        idp.admin_get_user(UserPoolId=other, Username="kim")
    assert error_of(e)[0] == "UserNotFoundException"
    create(idp, other, "kim")


def test_deleting_pool_deletes_users(idp):
    pid = idp.create_user_pool(PoolName=unique("gone"))["UserPool"]["Id"]
    create(idp, pid, "leo")
    idp.delete_user_pool(UserPoolId=pid)
    with pytest.raises(ClientError) as e:
        idp.admin_get_user(UserPoolId=pid, Username="leo")
    assert error_of(e)[0] == "ResourceNotFoundException"


def test_estimated_number_of_users(idp, plain_pool):
    pid = plain_pool["Id"]
    for n in ("m1", "m2", "m3"):
        create(idp, pid, n)
    assert idp.describe_user_pool(UserPoolId=pid)["UserPool"]["EstimatedNumberOfUsers"] == 3


def test_concurrent_creates_of_one_name(server, plain_pool):
    """Ten clients race for one username: exactly one wins."""
    pid = plain_pool["Id"]

    def attempt(_):
        c = server.client()
        try:
            create(c, pid, "racer")
            return "ok"
        except ClientError as e:
            return e.response["Error"]["Code"]

    with concurrent.futures.ThreadPoolExecutor(10) as ex:
        results = list(ex.map(attempt, range(10)))
    assert results.count("ok") == 1, results
    assert set(results) == {"ok", "UsernameExistsException"}, results


def test_list_users_basics(idp, plain_pool):
    pid = plain_pool["Id"]
    for name, email in (("nina", "nina@example.com"), ("otto", "otto@example.org")):
        create(idp, pid, name, email=email)
    users = idp.list_users(UserPoolId=pid)["Users"]
    assert sorted(u["Username"] for u in users) == ["nina", "otto"]
    for u in users:
        assert set(u) >= {"Username", "Attributes", "UserCreateDate", "UserLastModifiedDate",
                          "Enabled", "UserStatus"}


@pytest.fixture(scope="module")
def filter_pool(idp):
    pid = idp.create_user_pool(PoolName=unique("filter"))["UserPool"]["Id"]
    create(idp, pid, "alice", email="alice@example.com")
    create(idp, pid, "amy", email="amy@example.com")
    create(idp, pid, "bob", email="bob@example.org", extra=[{"Name": "given_name",
                                                              "Value": "Bobby"}])
    create(idp, pid, "carol", email="carol@example.net")
    idp.admin_set_user_password(UserPoolId=pid, Username="carol", Password="Passw0rd!x",
                                Permanent=True)
    idp.admin_disable_user(UserPoolId=pid, Username="amy")
    return pid


@pytest.mark.parametrize("flt,expected", [
    ('email ^= "a"', ["alice", "amy"]),
    ('email = "bob@example.org"', ["bob"]),
    ('username = "carol"', ["carol"]),
    ('username ^= "a"', ["alice", "amy"]),
    ('given_name = "Bobby"', ["bob"]),
    ('cognito:user_status = "CONFIRMED"', ["carol"]),
    ('status = "Disabled"', ["amy"]),
    ('email ^= "zzz"', []),
    ('email="bob@example.org"', ["bob"]),
])
def test_list_users_filters(idp, filter_pool, flt, expected):
    got = idp.list_users(UserPoolId=filter_pool, Filter=flt)["Users"]
    assert sorted(u["Username"] for u in got) == expected


def test_list_users_attributes_to_get(idp, plain_pool):
    pid = plain_pool["Id"]
    create(idp, pid, "pam", email="pam@example.com",
           extra=[{"Name": "given_name", "Value": "Pam"}])
    users = idp.list_users(UserPoolId=pid, AttributesToGet=["email"])["Users"]
    assert attrs(users[0]) == {"email": "pam@example.com"}
    users = idp.list_users(UserPoolId=pid, AttributesToGet=[])["Users"]
    assert attrs(users[0]) == {}


def test_list_users_of_missing_pool(idp):
    with pytest.raises(ClientError) as e:
        idp.list_users(UserPoolId="us-east-1_NoSuchPool")
    assert error_of(e)[0] == "ResourceNotFoundException"


def test_list_users_bad_pagination_token(idp, plain_pool):
    with pytest.raises(ClientError) as e:
        idp.list_users(UserPoolId=plain_pool["Id"], PaginationToken="garbage")
    assert error_of(e)[0] == "InvalidParameterException"


def test_unicode_attribute_values(idp, plain_pool):
    pid = plain_pool["Id"]
    create(idp, pid, "zoë", extra=[{"Name": "name", "Value": "Zoë Ünïcødé 日本 🎉"}])
    a = attrs(idp.admin_get_user(UserPoolId=pid, Username="zoë"))
    assert a["name"] == "Zoë Ünïcødé 日本 🎉"
