"""Project-level promises: migrations match the models; set-up commands work without the demo."""

import pytest
from django.core.management import CommandError, call_command

from onedoor.accounts.actions import create_staff
from onedoor.geo.models import Area


def test_no_model_change_is_missing_a_migration(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_grant_makes_a_createsuperuser_account_a_working_admin(world, client):
    user = create_staff(actor=None, username="it.admin", full_name="信息科", organisation=None, password="pw-123456")
    assert Area.objects.visible_to(user).count() == 0
    call_command("grant", "it.admin", "admin", verbosity=0)
    user = type(user).objects.get(pk=user.pk)  # a new request: grants are read afresh
    assert user.is_staff and user.is_superuser and user.is_onedoor_admin
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/admin/").status_code == 200


def test_grant_refuses_unknown_area_and_scope_less_roles(world):
    create_staff(actor=None, username="x.clerk", full_name="x", organisation=None, password="pw-123456")
    with pytest.raises(CommandError, match="没有区划代码"):
        call_command("grant", "x.clerk", "window_clerk", "--area", "350212999000")
    with pytest.raises(CommandError, match="必须指定区域或机构"):
        call_command("grant", "x.clerk", "window_clerk")
    call_command("grant", "x.clerk", "window_clerk", "--area", "350212105000", "--organisation", "莲花镇",
                 verbosity=0)


def test_load_areas_command_is_repeatable(world, capsys):
    call_command("load_areas")
    assert "新建 0 个，更新 0 个" in capsys.readouterr().out
