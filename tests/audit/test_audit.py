"""Row history with who and which request; the access log."""

from onedoor.accounts.actions import assign_role, create_staff
from onedoor.accounts.models import RoleAssignment
from onedoor.core.audit import log_access
from onedoor.core.middleware import reset_request_id, set_request_id
from onedoor.core.models import AccessLog
from onedoor.geo.models import Area


def test_action_history_names_the_actor_and_request(world):
    admin = world.user("admin")
    token = set_request_id("req-test-0001")
    try:
        user = create_staff(actor=admin, username="new.clerk", full_name="新人", organisation=None, password="x")
        assignment = assign_role(actor=admin, user=user, role="window_clerk", area=world.wuxian)
    finally:
        reset_request_id(token)
    record = assignment.history.get()
    assert record.history_user == admin and record.request_id == "req-test-0001"
    assert record.history_type == "+"
    assert RoleAssignment.history.filter(user=user).count() == 1
    assert "password" not in {f.name for f in user.history.model._meta.fields}


def test_admin_change_is_in_history_with_the_response_request_id(login):
    client = login("admin")
    area = Area.objects.get(code="350212110000")
    response = client.post(f"/admin/geo/area/{area.code}/change/", {
        "code": area.code, "name": "五显镇", "level": "town", "parent": "350212000000", "source": "nbs2022",
        "valid_from": "", "valid_to": "", "successor": "", "is_local": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    record = area.history.latest()
    assert record.history_user.username == "admin"
    assert record.request_id == response["X-Request-ID"]


def test_access_log_records_who_what_why(world):
    leader = world.user("leader")
    entry = log_access(actor=leader, action="export", target=world.wuxian, reason="年度报表")
    assert AccessLog.objects.visible_to(leader).get() == entry
    assert AccessLog.objects.visible_to(world.user("clerk.wuxian")).count() == 0
    assert entry.target_type == "geo.Area" and entry.target_id == "350212110000"
