"""The application page (申请详情): who applied where, the documents, every task the user may see and
one timeline of all their events across departments; documents handed in later; scan downloads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from onedoor.core.exceptions import DomainError
from onedoor.core.scoping import get_visible_or_404, is_admin

from . import actions
from .actions import DOCUMENT_ROLES
from .forms import AddDocumentsForm, required_documents
from .models import Application, ApplicationDocument, Task, TaskEvent
from .views import applications, errors_onto, require_role
from .views_tasks import event_rows, with_deadlines

TIMELINE_LIMIT = 200


def may_add_documents(user) -> bool:
    return is_admin(user) or user.has_role(*DOCUMENT_ROLES)


def _render(request, application: Application, *, documents_form: AddDocumentsForm | None = None):
    user = request.user
    shown = list(Task.objects.visible_to(user).filter(application=application)
                 .select_related("policy", "department", "handler").order_by("pk"))
    events = (TaskEvent.objects.filter(task__in=shown).select_related("actor", "task", "task__policy")
              .order_by("occurred_at", "pk")[:TIMELINE_LIMIT])
    documents = list(application.documents.select_related("received_by").order_by("received_at", "pk"))
    notices = list(application.supplement_notices.order_by("-issued_on", "-pk"))
    names = required_documents([task.policy for task in shown])
    if documents_form is None and may_add_documents(user):
        documents_form = AddDocumentsForm(document_names=names, prefix="docs")
    return render(request, "intake/application_detail.html", {
        "application": application,
        "tasks": with_deadlines(shown),
        "timeline": event_rows(events),
        "documents": documents,
        "supplement_notices": notices,
        "documents_form": documents_form,
        "today": timezone.localdate(),
    })


@login_required
def application_detail(request, pk: int):
    return _render(request, get_visible_or_404(request.user, applications(), pk=pk))


@login_required
@require_POST
def application_add_documents(request, pk: int):
    """Documents handed in after the application was taken (they are recorded; tasks waiting for
    them are resubmitted on the task page)."""
    application = get_visible_or_404(request.user, applications(), pk=pk)
    require_role(request.user, *DOCUMENT_ROLES)
    names = required_documents([task.policy for task in application.tasks.select_related("policy")])
    form = AddDocumentsForm(request.POST, request.FILES, document_names=names, prefix="docs")
    if form.is_valid():
        try:
            stored = actions.add_documents(application, actor=request.user, documents=form.received())
        except DomainError as exc:
            errors_onto(form, exc)
        else:
            messages.success(request, _("已登记 %(n)s 份材料。") % {"n": len(stored)})
            return redirect("intake:application_detail", pk=application.pk)
    return _render(request, application, documents_form=form)


@never_cache
@login_required
def document_download(request, pk: int):
    """A stored scan, for users who may see its application. The URL names only the row's number."""
    document = _visible_document(request.user, pk)
    if not document.file:
        raise Http404("没有扫描件。")
    filename = document.original_name.rsplit("/", 1)[-1] or f"{document.name}{_suffix(document.file.name)}"
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


def _visible_document(user, pk: int) -> ApplicationDocument:
    visible = Application.objects.visible_to(user).values("pk")
    try:
        return ApplicationDocument.objects.select_related("application").get(application__in=visible, pk=pk)
    except (ApplicationDocument.DoesNotExist, ValueError, TypeError):
        raise Http404("没有找到，或者您无权查看。") from None


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:] if dot > name.rfind("/") else ""
