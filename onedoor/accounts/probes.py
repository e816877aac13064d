from onedoor.core.probes import Probe, Unscoped

PROBES = [
    Unscoped("accounts:login", "登录页"),
    Unscoped("accounts:logout", "退出登录"),
    Probe("accounts:profile", expect="absent"),
    Probe("accounts:revoke_token", method="POST", expect="check",
          check=lambda client, world: _cannot_revoke_others_token(client, world)),
    Unscoped("api:create_token", "用户名和密码换取令牌，不读取业务数据"),
    Probe("api:me", expect="absent"),
]


def _cannot_revoke_others_token(client, world) -> None:
    from onedoor.accounts.actions import issue_api_token

    token, _ = issue_api_token(user=world.user("clerk.wuxian"))
    response = client.post(f"/accounts/me/tokens/{token.pk}/revoke/")
    assert response.status_code in (302, 404)
    token.refresh_from_db()
    assert token.revoked_at is None
