"""Signing in: Chinese pages, argon2 hashes, lockout, session expiry, secure headers."""

from conftest import PASSWORD


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
