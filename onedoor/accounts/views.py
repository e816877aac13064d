from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .actions import revoke_api_token


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.error_messages = {
            "invalid_login": _("用户名或密码不正确。连续输错 %(limit)s 次将被临时锁定 %(minutes)s 分钟。") % {
                "limit": settings.AXES_FAILURE_LIMIT, "minutes": round(settings.AXES_COOLOFF_TIME * 60)},
            "inactive": _("该账号已停用，请联系系统管理员。"),
        }
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        self.fields["username"].widget.attrs.update({"autofocus": True, "class": "form-control"})
        self.fields["password"].widget.attrs.update({"class": "form-control"})


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


@login_required
def profile(request):
    assignments = request.user.role_assignments.active().select_related("area", "organisation")
    tokens = request.user.api_tokens.usable().order_by("-created_at")
    return render(request, "accounts/profile.html", {"assignments": assignments, "tokens": tokens})


@login_required
@require_POST
def revoke_token(request, token_id: int):
    token = request.user.api_tokens.filter(pk=token_id).first()
    if token is None:
        return redirect("accounts:profile")
    revoke_api_token(actor=request.user, token=token)
    messages.success(request, _("令牌 %(token)s 已吊销。") % {"token": token})
    return redirect("accounts:profile")


