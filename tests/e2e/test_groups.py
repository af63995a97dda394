"""Groups and memberships through boto3: lifecycle, errors, cascades."""

import datetime

import pytest
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/admins"


def error_of(exc_info):
    err = exc_info.value.response["Error"]
    return err["Code"], err.get("Message", "")


def mkuser(idp, pid, name):
    idp.admin_create_user(UserPoolId=pid, Username=name, MessageAction="SUPPRESS")


def test_group_lifecycle(idp, plain_pool):
    pid = plain_pool["Id"]
    g = idp.create_group(UserPoolId=pid, GroupName="admins", Description="Admins",
                         Precedence=1, RoleArn=ROLE)["Group"]
    assert g["GroupName"] == "admins" and g["UserPoolId"] == pid
    assert g["Description"] == "Admins" and g["Precedence"] == 1 and g["RoleArn"] == ROLE
    assert isinstance(g["CreationDate"], datetime.datetime)
    assert isinstance(g["LastModifiedDate"], datetime.datetime)

    got = idp.get_group(UserPoolId=pid, GroupName="admins")["Group"]
    assert got["Description"] == "Admins" and got["Precedence"] == 1

    u = idp.update_group(UserPoolId=pid, GroupName="admins", Description="Admins!",
                         Precedence=5)["Group"]
    assert u["Description"] == "Admins!" and u["Precedence"] == 5
    assert u["RoleArn"] == ROLE, "members not named in UpdateGroup keep their values"

    groups = idp.list_groups(UserPoolId=pid)["Groups"]
    assert [x["GroupName"] for x in groups] == ["admins"]

    idp.delete_group(UserPoolId=pid, GroupName="admins")
    with pytest.raises(ClientError) as e:
        idp.get_group(UserPoolId=pid, GroupName="admins")
    assert error_of(e) == ("ResourceNotFoundException", "Group not found.")
    assert idp.list_groups(UserPoolId=pid)["Groups"] == []


def test_duplicate_group(idp, plain_pool):
    pid = plain_pool["Id"]
    idp.create_group(UserPoolId=pid, GroupName="dupes")
    with pytest.raises(ClientError) as e:
        idp.create_group(UserPoolId=pid, GroupName="dupes")
    assert error_of(e) == ("GroupExistsException", "A group with the name dupes already exists.")


def test_missing_group_errors(idp, plain_pool):
    pid = plain_pool["Id"]
    mkuser(idp, pid, "ann")
    calls = [
        lambda: idp.get_group(UserPoolId=pid, GroupName="nope"),
        lambda: idp.update_group(UserPoolId=pid, GroupName="nope", Description="x"),
        lambda: idp.delete_group(UserPoolId=pid, GroupName="nope"),
        lambda: idp.list_users_in_group(UserPoolId=pid, GroupName="nope"),
        lambda: idp.admin_add_user_to_group(UserPoolId=pid, Username="ann", GroupName="nope"),
        lambda: idp.admin_remove_user_from_group(UserPoolId=pid, Username="ann",
                                                 GroupName="nope"),
    ]
    for call in calls:
        with pytest.raises(ClientError) as e:
            call()
        assert error_of(e) == ("ResourceNotFoundException", "Group not found.")


def test_groups_in_missing_pool(idp):
    with pytest.raises(ClientError) as e:
        idp.create_group(UserPoolId="us-east-1_NoSuchPool", GroupName="g")
    assert error_of(e)[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as e:
        idp.list_groups(UserPoolId="us-east-1_NoSuchPool")
    assert error_of(e)[0] == "ResourceNotFoundException"


def test_membership(idp, plain_pool):
    pid = plain_pool["Id"]
    for g in ("readers", "writers"):
        idp.create_group(UserPoolId=pid, GroupName=g)
    for u in ("bo", "cy"):
        mkuser(idp, pid, u)
    idp.admin_add_user_to_group(UserPoolId=pid, Username="bo", GroupName="readers")
    idp.admin_add_user_to_group(UserPoolId=pid, Username="bo", GroupName="writers")
    idp.admin_add_user_to_group(UserPoolId=pid, Username="cy", GroupName="readers")
    # Adding twice is not an error.
    idp.admin_add_user_to_group(UserPoolId=pid, Username="cy", GroupName="readers")

    readers = idp.list_users_in_group(UserPoolId=pid, GroupName="readers")["Users"]
    assert sorted(u["Username"] for u in readers) == ["bo", "cy"]
    for u in readers:
        assert set(u) >= {"Username", "Attributes", "Enabled", "UserStatus"}
    groups = idp.admin_list_groups_for_user(UserPoolId=pid, Username="bo")["Groups"]
    assert sorted(g["GroupName"] for g in groups) == ["readers", "writers"]

    idp.admin_remove_user_from_group(UserPoolId=pid, Username="bo", GroupName="readers")
    groups = idp.admin_list_groups_for_user(UserPoolId=pid, Username="bo")["Groups"]
    assert [g["GroupName"] for g in groups] == ["writers"]
    readers = idp.list_users_in_group(UserPoolId=pid, GroupName="readers")["Users"]
    assert [u["Username"] for u in readers] == ["cy"]


def test_membership_missing_user(idp, plain_pool):
    pid = plain_pool["Id"]
    idp.create_group(UserPoolId=pid, GroupName="g")
    for call in (idp.admin_add_user_to_group, idp.admin_remove_user_from_group):
        with pytest.raises(ClientError) as e:
            call(UserPoolId=pid, Username="ghost", GroupName="g")
        assert error_of(e) == ("UserNotFoundException", "User does not exist.")
    with pytest.raises(ClientError) as e:
        idp.admin_list_groups_for_user(UserPoolId=pid, Username="ghost")
    assert error_of(e) == ("UserNotFoundException", "User does not exist.")


def test_deleting_user_removes_memberships(idp, plain_pool):
    pid = plain_pool["Id"]
    idp.create_group(UserPoolId=pid, GroupName="team")
    mkuser(idp, pid, "dee")
    idp.admin_add_user_to_group(UserPoolId=pid, Username="dee", GroupName="team")
    idp.admin_delete_user(UserPoolId=pid, Username="dee")
    assert idp.list_users_in_group(UserPoolId=pid, GroupName="team")["Users"] == []
    mkuser(idp, pid, "dee")
    assert idp.admin_list_groups_for_user(UserPoolId=pid, Username="dee")["Groups"] == []


def test_deleting_group_removes_memberships(idp, plain_pool):
    pid = plain_pool["Id"]
    idp.create_group(UserPoolId=pid, GroupName="temp")
    mkuser(idp, pid, "eli")
    idp.admin_add_user_to_group(UserPoolId=pid, Username="eli", GroupName="temp")
    idp.delete_group(UserPoolId=pid, GroupName="temp")
    assert idp.admin_list_groups_for_user(UserPoolId=pid, Username="eli")["Groups"] == []
    idp.create_group(UserPoolId=pid, GroupName="temp")
    assert idp.list_users_in_group(UserPoolId=pid, GroupName="temp")["Users"] == []


def test_group_names_are_case_sensitive(idp, plain_pool):
    pid = plain_pool["Id"]
    idp.create_group(UserPoolId=pid, GroupName="Ops")
    idp.create_group(UserPoolId=pid, GroupName="ops")
    names = sorted(g["GroupName"] for g in idp.list_groups(UserPoolId=pid)["Groups"])
    assert names == ["Ops", "ops"]


def test_groups_are_per_pool(idp, plain_pool):
    other = idp.create_user_pool(PoolName="groups-other")["UserPool"]["Id"]
    idp.create_group(UserPoolId=plain_pool["Id"], GroupName="shared-name")
    idp.create_group(UserPoolId=other, GroupName="shared-name")
    with pytest.raises(ClientError) as e:
        idp.get_group(UserPoolId=other, GroupName="only-in-first")
    assert error_of(e)[0] == "ResourceNotFoundException"
