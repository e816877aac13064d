"""The scoping rules: grants open rows by area subtree and/or organisation; nothing else does."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from onedoor.accounts.actions import assign_role, create_staff, end_role
from onedoor.accounts.models import Organisation
from onedoor.core.models import Job
from onedoor.core.scoping import (
    Grant,
    ScopeRule,
    get_visible_or_404,
    in_subtree,
    scope_q,
    subtree_bounds,
    subtree_prefix,
)
from onedoor.geo.models import Area


def test_subtree_prefix_by_level():
    assert subtree_prefix("350212000000") == "350212"
    assert subtree_prefix("350212110000") == "350212110"
    assert subtree_prefix("350212110201") == "350212110201"
    assert subtree_prefix("350200000000") == "3502"
    assert subtree_prefix("350212L01000") == "350212L01"


@given(st.from_regex(r"\A350212(0\d\d|1\d\d)[0-9]{3}\Z"))
def test_every_code_of_the_district_is_inside_its_bounds(code):
    low, high = subtree_bounds("350212000000")
    assert low <= code <= high
    town_low, town_high = subtree_bounds(code[:9] + "000")
    assert town_low <= code <= town_high


def test_local_farm_code_is_inside_the_district_but_not_inside_a_town():
    low, high = subtree_bounds("350212000000")
    assert low <= "350212L01000" <= high
    low, high = subtree_bounds("350212110000")
    assert not (low <= "350212L01000" <= high)


def test_subtree_is_one_indexed_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        codes = list(Area.objects.filter(in_subtree("code", "350212110000")).values_list("code", flat=True))
    assert codes and all(code.startswith("350212110") for code in codes)


def test_clerk_sees_own_town_only(world):
    clerk = world.user("clerk.wuxian")
    visible = Area.objects.visible_to(clerk)
    assert visible.filter(code=world.wuxian_village.code).exists()
    assert not visible.filter(code=world.lianhua.code).exists()
    assert not visible.filter(code=world.district.code).exists()
    assert visible.count() == Area.objects.filter(code__startswith="350212110").count()


def test_dispatcher_sees_the_whole_district_including_the_farm(world):
    dispatcher = world.user("dispatcher")
    visible = Area.objects.visible_to(dispatcher)
    assert visible.filter(code="350212L01000").exists()
    assert visible.filter(code=world.lianhua_village.code).exists()
    assert not visible.filter(code="350200000000").exists()  # 厦门市 is above the district


def test_social_worker_sees_both_contracted_areas_and_nothing_else(world):
    worker = world.user("social.worker")
    towns = set(Area.objects.visible_to(worker).filter(level__in=["town", "subdistrict"]).values_list("name", flat=True))
    assert towns == {"五显镇", "大同街道"}


def test_admin_role_bypasses_but_superuser_flag_alone_does_not(world):
    admin = world.user("admin")
    assert Area.objects.visible_to(admin).count() == Area.objects.count()
    flag_only = create_staff(actor=None, username="root.only", full_name="x", organisation=None, password="x")
    flag_only.is_superuser = True
    flag_only.save()
    assert Area.objects.visible_to(flag_only).count() == 0


def test_anonymous_and_inactive_users_see_nothing(world, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert Area.objects.visible_to(AnonymousUser()).count() == 0
    clerk = world.user("clerk.wuxian")
    clerk.is_active = False
    assert Area.objects.visible_to(clerk).count() == 0


def test_expired_role_opens_nothing(world):
    user = create_staff(actor=None, username="temp.clerk", full_name="临时", organisation=None, password="x")
    assignment = assign_role(actor=None, user=user, role="window_clerk", area=world.wuxian,
                             valid_until=timezone.now() + timedelta(hours=1))
    assert Area.objects.visible_to(user).exists()
    end_role(actor=None, assignment=assignment)
    user.forget_grants()
    assert not Area.objects.visible_to(user).exists()


def test_grant_with_both_dimensions_requires_both(world):
    handler = world.user("handler.mz")  # 区民政局 over the district
    organisations = Organisation.objects.visible_to(handler)
    assert list(organisations) == [world.org("区民政局")]


def test_grant_sharing_no_dimension_with_the_model_opens_nothing():
    rule = ScopeRule(organisation="department")
    assert scope_q(rule, [Grant(role="window_clerk", area_code="350212110000")], user=None, action="view") is None


def test_roles_by_action_limits_which_grants_count():
    rule = ScopeRule(area="area", roles_by_action=(("change", frozenset({"handler"})),))
    grants = [Grant(role="leader", area_code="350212000000")]
    assert scope_q(rule, grants, user=None, action="view") is not None
    assert scope_q(rule, grants, user=None, action="change") is None


def test_owner_rule_shows_own_rows_only(world):
    clerk = world.user("clerk.wuxian")
    other = world.user("clerk.lianhua")
    mine = Job.objects.create(kind="t", title="mine", created_by=clerk)
    Job.objects.create(kind="t", title="theirs", created_by=other)
    assert list(Job.objects.visible_to(clerk)) == [mine]


def test_get_visible_or_404_hides_existence(world):
    clerk = world.user("clerk.lianhua")
    with pytest.raises(Http404):
        get_visible_or_404(clerk, Area, code=world.wuxian.code)
    with pytest.raises(Http404):
        get_visible_or_404(clerk, Area, code="999999999999")
    assert get_visible_or_404(clerk, Area, code=world.lianhua.code) == world.lianhua


def test_model_without_rule_refuses_to_scope(world):
    from onedoor.core.scoping import ScopedQuerySet
    from onedoor.demo.models import LoadedStep

    with pytest.raises(TypeError):
        ScopedQuerySet(model=LoadedStep).visible_to(world.user("admin"))


def test_grants_are_resolved_once_per_user_instance(world, django_assert_num_queries):
    clerk = world.user("clerk.wuxian")
    with django_assert_num_queries(2):  # grants, then the areas
        list(Area.objects.visible_to(clerk))
    with django_assert_num_queries(1):
        list(Area.objects.visible_to(clerk))
