"""Signing in: Chinese pages, argon2 hashes, lockout, session expiry, secure headers."""

from onedoor.demo.demo_steps import DEMO_PASSWORD as PASSWORD


def test_login_page_is_chinese(client, world):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "工作人员登录" in response.content.decode()


def test_anonymous_is_sent_to_login(client, world):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_login_then_home_shows_roles(client, world):
    response = client.post("/accounts/login/", {"username": "clerk.wuxian", "password": PASSWORD}, follow=True)
    body = response.content.decode()
    assert "窗口受理员" in body and "五显镇" in body


def test_wrong_password_message(client, world):
    response = client.post("/accounts/login/", {"username": "clerk.wuxian", "password": "wrong"})
    assert "用户名或密码不正确" in response.content.decode()


def test_lockout_after_five_failures_even_with_the_right_password(client, world):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "leader", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "leader", "password": PASSWORD})
    assert response.status_code == 429
    assert "临时锁定" in response.content.decode()


def test_passwords_are_argon2(world):
    assert world.user("admin").password.startswith("argon2")


def test_logout_needs_post(login):
    client = login("leader")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_session_expires_and_headers_are_set(login, settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE and settings.SESSION_COOKIE_AGE <= 8 * 3600
    response = login("leader").get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert len(response["X-Request-ID"]) == 32


def test_profile_shows_scope(login):
    body = login("social.worker").get("/accounts/me/").content.decode()
    assert "五显镇" in body and "大同街道" in body


def test_lockout_address_ignores_forged_forwarded_for(rf, settings):
    from onedoor.accounts.lockout import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR="10.0.0.9")
    settings.BEHIND_PROXY = False
    assert client_ip(request) == "10.0.0.9"
    settings.BEHIND_PROXY = True
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "203.0.113.7"


def test_admin_ends_a_role_through_the_action_and_flags_follow(login, world):
    from onedoor.accounts.actions import assign_role, create_staff
    from onedoor.accounts.models import RoleAssignment, User

    user = create_staff(actor=None, username="second.admin", full_name="二号", organisation=None, password="x")
    grant = assign_role(actor=None, user=user, role="admin")
    assert User.objects.get(pk=user.pk).is_superuser
    response = login("admin").post("/admin/accounts/roleassignment/", {
        "action": "end_selected", "_selected_action": [grant.pk]})
    assert response.status_code == 302
    assert RoleAssignment.objects.get(pk=grant.pk).valid_until is not None
    fresh = User.objects.get(pk=user.pk)
    assert not fresh.is_superuser and not fresh.is_staff


def test_admin_grants_a_role_on_the_user_page_through_the_action(login, world):
    from onedoor.accounts.models import RoleAssignment, User

    user = User.objects.get(username="leader")
    client = login("admin")
    page = client.get(f"/admin/accounts/user/{user.pk}/change/")
    assert page.status_code == 200
    response = client.post(f"/admin/accounts/user/{user.pk}/change/", {
        "username": "leader", "full_name": user.full_name, "phone": "", "email": "",
        "organisation": user.organisation_id, "is_active": "on",
        "role_assignments-TOTAL_FORMS": "2", "role_assignments-INITIAL_FORMS": "1",
        "role_assignments-MIN_NUM_FORMS": "0", "role_assignments-MAX_NUM_FORMS": "1000",
        "role_assignments-0-id": RoleAssignment.objects.get(user=user).pk, "role_assignments-0-user": user.pk,
        "role_assignments-1-role": "finance", "role_assignments-1-area": "350212000000",
        "role_assignments-1-organisation": "", "role_assignments-1-valid_until_0": "",
        "role_assignments-1-valid_until_1": "", "role_assignments-1-note": "兼任", "role_assignments-1-user": user.pk,
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    added = RoleAssignment.objects.get(user=user, role="finance")
    assert added.granted_by.username == "admin" and added.history.latest().history_user.username == "admin"
