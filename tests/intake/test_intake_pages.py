"""The intake pages through the test client: the window flow with real uploaded scans, the application
page and its scoped download, the task page's form for each action (and a refused one, shown in Chinese),
我的事项, 调度台, 今日受理, the home panels and the person page's 申请记录, with bounded queries."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from onedoor.core.idnumber import make_id_number
from onedoor.intake import actions
from onedoor.intake.choices import TaskState
from onedoor.intake.models import Application, ApplicationDocument, HomeVisit, Objection, Task, TaskEvent
from onedoor.registry.models import Person

PDF = b"%PDF-1.4\n% scan of a household register\n"


def body_of(response) -> str:
    return response.content.decode()


def scan(name: str = "户口簿.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def task_url(task: Task) -> str:
    return reverse("intake:task_detail", args=[task.pk])


def act(client, task: Task, action: str, **fields):
    """POST one action's form (its fields carry the action as prefix), following the redirect."""
    data = {f"{action}-{name}": value for name, value in fields.items()}
    return client.post(reverse("intake:task_action", args=[task.pk, action]), data, follow=True)


def state_of(task: Task) -> str:
    return Task.objects.get(pk=task.pk).state


@pytest.fixture
def dibao(make_policy):
    return make_policy("最低生活保障", required_documents=["户口簿", "收入证明"], notice_required=True)


@pytest.fixture
def relief(make_policy):
    return make_policy("临时救助", kind="one_off_cash", required_documents=["户口簿"], act_first_allowed=True,
                       time_limit_days=10)


# --- who sees which page -----------------------------------------------------------------------------


@pytest.mark.parametrize(("username", "url_name", "status"), [
    ("clerk.wuxian", "intake:window", 200),
    ("dispatcher", "intake:window", 200),
    ("handler.mz", "intake:window", 403),
    ("clerk.wuxian", "intake:today", 200),
    ("handler.mz", "intake:my_tasks", 200),
    ("clerk.wuxian", "intake:my_tasks", 403),
    ("dispatcher", "intake:dispatch", 200),
    ("handler.mz", "intake:dispatch", 403),
    ("leader", "intake:dispatch", 403),
    ("admin", "intake:dispatch", 200),
])
def test_each_role_gets_its_pages(login, username, url_name, status):
    assert login(username).get(reverse(url_name)).status_code == status


def test_menu_and_home_panels_follow_the_role(login, submit, dibao):
    submit([dibao], documents=["户口簿", "收入证明"])
    clerk = body_of(login("clerk.wuxian").get("/"))
    assert "窗口受理" in clerk and "今日受理 1 件" in clerk and 'data-panel="intake-today"' in clerk
    assert "调度台" not in clerk
    handler = body_of(login("handler.mz").get("/"))
    assert 'data-panel="intake-my-tasks"' in handler and "我的事项" in handler
    dispatcher = body_of(login("dispatcher").get("/"))
    assert 'data-panel="intake-overdue"' in dispatcher and "待分派" in dispatcher


# --- the window flow -----------------------------------------------------------------------------------


def test_the_window_finds_the_applicant_by_initials_and_offers_the_form(login, make_person, dibao):
    person = make_person("杨全", seq=301)
    client = login("clerk.wuxian")
    found = body_of(client.get(reverse("intake:window"), {"q": "yq"}, HTTP_HX_REQUEST="true"))
    assert "杨全" in found and reverse("intake:application_new", args=[person.pk]) in found
    assert person.id_number not in found and person.masked_id in found
    form = body_of(client.get(reverse("intake:application_new", args=[person.pk])))
    assert "最低生活保障" in form and 'name="policies"' in form
    assert "区民政局" in form  # grouped by department


def test_a_person_registered_from_the_window_goes_straight_on_to_their_application(login, world, make_person,
                                                                                   dibao):
    client = login("clerk.wuxian")
    found = body_of(client.get(reverse("intake:window"), {"q": "无此人"}, HTTP_HX_REQUEST="true"))
    register = f'{reverse("registry:person_create")}?next=/intake/window/'
    assert f'href="{register}"' in found.replace("%2F", "/")
    form = body_of(client.get(register))
    assert '<input type="hidden" name="next" value="/intake/window/">' in form
    number = make_id_number("350212", date(1961, 2, 3), 135)

    registered = client.post(reverse("registry:person_create"), {
        "name": "窗口新人", "id_number": number, "residence_area": world.wuxian_village.code,
        "next": "/intake/window/"})

    person = Person.objects.get(id_number=number)
    assert registered.status_code == 302 and registered["Location"] == f"/intake/window/?person={person.pk}"
    onward = client.get(registered["Location"])
    assert onward.status_code == 302 and onward["Location"] == reverse("intake:application_new", args=[person.pk])
    assert "窗口新人" in body_of(client.get(onward["Location"]))
    # the same ID again: the form offers to carry on with the person already registered
    again = body_of(client.post(reverse("registry:person_create"), {
        "name": "窗口新人", "id_number": number, "residence_area": world.wuxian_village.code,
        "next": "/intake/window/"}))
    assert f'href="/intake/window/?person={person.pk}" data-testid="continue-with-existing"' in again


def test_registering_never_follows_a_next_off_the_site_and_the_window_checks_scope(login, world, make_person):
    client = login("clerk.wuxian")
    number = make_id_number("350212", date(1962, 3, 4), 137)
    response = client.post(reverse("registry:person_create"), {
        "name": "外链", "id_number": number, "residence_area": world.wuxian_village.code,
        "next": "https://evil.example/steal"})
    person = Person.objects.get(id_number=number)
    assert response["Location"] == reverse("registry:person_detail", args=[person.pk])
    form = body_of(client.get(f'{reverse("registry:person_create")}?next=//evil.example/'))
    assert 'name="next" value="//evil.example/"' not in form  # (the language switch keeps the page's own URL)
    elsewhere = make_person("莲花人", seq=139, area=world.lianhua_village)
    assert client.get(reverse("intake:window"), {"person": elsewhere.pk}).status_code == 404
    assert client.get(reverse("intake:window"), {"person": "9" * 30}).status_code == 404  # not a 500
    assert client.get(reverse("intake:window"), {"person": "abc"}).status_code == 200  # ignored: the search page


def test_the_documents_block_follows_the_ticked_policies(login, dibao, relief):
    client = login("clerk.wuxian")
    body = body_of(client.get(reverse("intake:window_documents"),
                              {"policies": [dibao.pk, relief.pk], "documents": ["收入证明"]}))
    assert body.count('name="documents"') == 2  # 户口簿 once, though both ask for it
    assert 'value="收入证明" id="doc-doc-1" checked' in body
    assert 'data-testid="act-first"' in body and "临时救助" in body
    assert "请先勾选" in body_of(client.get(reverse("intake:window_documents")))
    # unticking a policy drops its documents quietly (no "invalid choice" message)
    fewer = body_of(client.get(reverse("intake:window_documents"), {"policies": [relief.pk],
                                                                   "documents": ["收入证明", "户口簿"]}))
    assert "收入证明" not in fewer and 'value="户口簿" id="doc-doc-0" checked' in fewer
    assert "invalid-feedback" not in fewer


def test_window_flow_with_scans_gives_a_receipt_number_and_a_print_button(login, make_person, dibao, relief,
                                                                         settings):
    # given a person and two policies, one with a 7-day notice, one allowing 先行救助
    person = make_person("杨全", seq=303)
    client = login("clerk.wuxian")

    # when the clerk ticks both, ticks the documents, attaches a scan of the first, and submits
    response = client.post(reverse("intake:application_new", args=[person.pk]), {
        "policies": [dibao.pk, relief.pk], "documents": ["户口簿", "收入证明"], "scan_0": scan(),
        "statement": "因病致贫", "channel": "window", "contact_phone": "13900001111",
        "consent_to_checks": "on", "act_first": [relief.code],
    })

    # then the application page shows the receipt number big, with the print button
    application = Application.objects.get(applicant=person)
    assert response.status_code == 302
    assert response["Location"] == reverse("intake:application_detail", args=[application.pk])
    page = body_of(client.get(response["Location"]))
    assert f'data-testid="receipt-no">{application.receipt_no}<' in page
    assert reverse("intake_print:receipt", kwargs={"receipt_no": application.receipt_no}) in page
    assert "打印受理回执" in page
    assert application.window.short_name == "五显镇" and application.clerk.username == "clerk.wuxian"
    assert application.consent_to_checks and application.contact_phone == "13900001111"
    tasks = {task.policy_id: task for task in application.tasks.all()}
    assert set(tasks) == {dibao.pk, relief.pk} and tasks[relief.pk].act_first
    assert not application.supplement_notices.exists()
    # the scan is stored and its download goes through the scoped view
    stored = ApplicationDocument.objects.get(application=application, name="户口簿")
    assert stored.file and stored.original_name == "户口簿.pdf"
    assert reverse("intake:document_download", args=[stored.pk]) in page
    assert ApplicationDocument.objects.filter(application=application, name="收入证明", file="").exists()


def test_missing_documents_show_the_supplement_notice_and_its_print_button(login, make_person, dibao):
    person = make_person("林一", seq=305)
    client = login("clerk.wuxian")
    response = client.post(reverse("intake:application_new", args=[person.pk]), {
        "policies": [dibao.pk], "documents": ["户口簿"], "channel": "window"}, follow=True)
    application = Application.objects.get(applicant=person)
    notice = application.supplement_notices.get()
    page = body_of(response)
    assert 'data-testid="supplement-notice"' in page and "收入证明" in page
    assert reverse("intake_print:supplement", kwargs={"pk": notice.pk}) in page
    assert application.tasks.get().state == TaskState.RETURNED


@pytest.mark.parametrize(("data", "message"), [
    ({"channel": "window"}, "请至少勾选一项申请的政策。"),
    ({"channel": "window", "related_to_staff": "on"}, "近亲属备案须写明备案说明。"),
    ({"channel": "window", "contact_phone": "电话"}, "联系电话只能包含数字"),
    ({"channel": "nowhere"}, "nowhere"),
])
def test_bad_window_input_is_named_in_chinese(login, make_person, dibao, data, message):
    person = make_person("林二", seq=307)
    data = {"policies": [dibao.pk], **data} if "请至少" not in message else data
    response = login("clerk.wuxian").post(reverse("intake:application_new", args=[person.pk]), data)
    assert response.status_code == 200
    assert message in body_of(response)
    assert not Application.objects.filter(applicant=person).exists()


def test_a_scan_of_the_wrong_kind_is_refused_with_its_name(login, make_person, dibao):
    person = make_person("林三", seq=309)
    response = login("clerk.wuxian").post(reverse("intake:application_new", args=[person.pk]), {
        "policies": [dibao.pk], "documents": ["户口簿"], "channel": "window",
        "scan_0": SimpleUploadedFile("run.exe", b"MZ")})
    assert "“户口簿”的扫描件须为 PDF、JPG、PNG 或 TIFF 文件。" in body_of(response)
    assert not Application.objects.filter(applicant=person).exists()


def test_the_actions_refusal_comes_back_on_the_form(login, make_person, dibao, world):
    # given an applicant whose death was recorded after the clerk opened the form
    from onedoor.registry.actions import record_death

    person = make_person("林四", seq=311)
    record_death(actor=world.user("clerk.wuxian"), person=person, death_date=timezone.localdate(), reason="死亡证明")
    # when the clerk submits, then submit_application's message is shown on the form, nothing is stored
    response = login("clerk.wuxian").post(reverse("intake:application_new", args=[person.pk]), {
        "policies": [dibao.pk], "channel": "window"})
    assert response.status_code == 200
    assert "该人员已登记死亡，不能作为申请人。" in body_of(response)
    assert not Application.objects.filter(applicant=person).exists()


def test_the_clerk_of_another_town_cannot_apply_for_a_wuxian_person(login, make_person, dibao):
    person = make_person("杨全", seq=313)
    client = login("clerk.lianhua")
    assert client.get(reverse("intake:application_new", args=[person.pk])).status_code == 404
    assert client.post(reverse("intake:application_new", args=[person.pk]),
                       {"policies": [dibao.pk], "channel": "window"}).status_code == 404


# --- the application page ----------------------------------------------------------------------------


def test_application_page_masks_the_id_and_merges_every_departments_events(login, submit, make_policy,
                                                                          make_person):
    person = make_person("杨全", seq=315)
    mz = make_policy("最低生活保障")
    rs = make_policy("就业援助", department="人社局", kind="service")
    application = submit([mz, rs], applicant=person)
    task_mz, task_rs = application.tasks.order_by("pk")
    actions.accept_task(task_mz, actor=_user("handler.mz"))
    actions.accept_task(task_rs, actor=_user("handler.rs"))

    clerk_page = body_of(login("clerk.wuxian").get(reverse("intake:application_detail", args=[application.pk])))
    assert person.masked_id in clerk_page and person.id_number not in clerk_page
    assert "最低生活保障" in clerk_page and "就业援助" in clerk_page
    assert clerk_page.count("<strong>受理</strong>") == 2  # both departments' acceptances in one timeline
    # a handler sees the application through their task, and only their department's task
    rs_page = body_of(login("handler.rs").get(reverse("intake:application_detail", args=[application.pk])))
    assert "就业援助" in rs_page and "最低生活保障" not in rs_page
    assert login("clerk.lianhua").get(reverse("intake:application_detail", args=[application.pk])
                                      ).status_code == 404


def _user(username):
    from onedoor.accounts.models import User

    return User.objects.get(username=username)


def test_scan_download_is_scoped(login, submit, make_policy):
    # given an application with a scanned document, routed to 区民政局
    policy = make_policy(required_documents=["户口簿"])
    application = submit([policy])
    (document,) = actions.add_documents(application, actor=_user("clerk.wuxian"),
                                        documents=[actions.ReceivedDocument("户口簿", scan("hukou.pdf"))])
    url = reverse("intake:document_download", args=[document.pk])
    assert str(document.pk) in url and "hukou" not in url
    # when / then: the window that took it and the handling department get the file
    for username in ("clerk.wuxian", "handler.mz", "dispatcher"):
        response = login(username).get(url)
        assert response.status_code == 200, username
        assert b"".join(response.streaming_content) == PDF
        assert "attachment" in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]
    # another town's clerk and another department's handler do not
    for username in ("clerk.lianhua", "handler.rs", "social.worker"):
        assert login(username).get(url).status_code == 404, username


def test_documents_handed_in_later_are_recorded_with_their_scan(login, submit, dibao):
    application = submit([dibao], documents=["户口簿", "收入证明"])
    client = login("clerk.wuxian")
    response = client.post(reverse("intake:application_add_documents", args=[application.pk]), {
        "docs-documents": ["收入证明"], "docs-scan_1": scan("income.jpg", b"\xff\xd8 jpeg"),
        "docs-other_documents": "残疾证、病历"}, follow=True)
    assert "已登记 3 份材料" in body_of(response)
    later = ApplicationDocument.objects.filter(application=application).order_by("-pk")[:3]
    assert sorted(d.name for d in later) == ["收入证明", "残疾证", "病历"]
    assert ApplicationDocument.objects.get(application=application, original_name="income.jpg").file
    empty = client.post(reverse("intake:application_add_documents", args=[application.pk]), {})
    assert "请勾选或填写收到的材料。" in body_of(empty)


# --- the task page: one form per allowed action ----------------------------------------------------------


def offered(client, task) -> set[str]:
    body = body_of(client.get(task_url(task)))
    return {action for action in ("accept", "investigate", "home_visit", "return", "resubmit", "propose",
                                  "publish_notice", "object", "reinvestigate", "dismiss_objection", "approve",
                                  "refuse", "complete", "close", "transfer", "withdraw", "assign")
            if f'data-action="{action}"' in body}


def test_the_main_road_through_the_forms(login, submit, dibao):
    task = submit([dibao], documents=["户口簿", "收入证明"]).tasks.get()
    client = login("handler.mz")
    assert offered(client, task) == {"accept", "return", "transfer", "withdraw"}

    assert "已受理" in body_of(act(client, task, "accept", note="材料齐全"))
    assert offered(client, task) >= {"investigate", "home_visit", "return", "transfer"}
    act(client, task, "investigate")
    response = act(client, task, "home_visit", visited_on=str(timezone.localdate()), second_staff="陈村干",
                   family_present="妻子", findings="房屋简陋，无劳动力", signed_by_family="on")
    assert "入户调查已登记" in body_of(response) and HomeVisit.objects.get(task=task).second_staff == "陈村干"
    act(client, task, "propose", note="家庭人均收入低于标准", amount="350.00")
    assert offered(client, task) >= {"publish_notice", "refuse", "withdraw"}
    assert "approve" not in offered(client, task)  # 须先公示
    act(client, task, "publish_notice", starts_on=str(timezone.localdate() - timedelta(days=7)))
    assert state_of(task) == TaskState.NOTICE
    act(client, task, "object", content="家中有车辆", raised_by="", received_on=str(timezone.localdate()))
    assert state_of(task) == TaskState.OBJECTED and Objection.objects.filter(notice__task=task).exists()
    act(client, task, "dismiss_objection", note="车辆为残疾人代步车")
    assert state_of(task) == TaskState.NOTICE
    body = body_of(act(client, task, "approve", reason="符合条件"))
    assert "已批准" in body
    task.refresh_from_db()
    assert task.state == TaskState.APPROVED and task.decided_amount == Decimal("350.00")
    act(client, task, "close")
    assert state_of(task) == TaskState.CLOSED
    assert offered(client, task) == set()
    codes = list(TaskEvent.objects.filter(task=task).values_list("code", flat=True))
    assert codes == ["submit", "accept", "investigate", "home_visit", "propose", "publish_notice", "object",
                     "dismiss_objection", "approve", "close"]


def test_return_and_resubmit_with_a_scan_moves_the_deadline_back(login, submit, dibao):
    task = submit([dibao], documents=["户口簿", "收入证明"]).tasks.get()
    client = login("handler.mz")
    act(client, task, "accept")
    body = body_of(act(client, task, "return", missing=["收入证明"], other_missing="低保申请书"))
    assert "已退回补正" in body and state_of(task) == TaskState.RETURNED
    notice = task.supplement_notices.get()
    assert notice.missing[0]["documents"] == ["收入证明", "低保申请书"]
    # the window clerk resubmits for the applicant, with a scan of one document
    clerk = login("clerk.wuxian")
    assert "resubmit" in offered(clerk, task)
    response = clerk.post(reverse("intake:task_action", args=[task.pk, "resubmit"]), {
        "resubmit-documents": ["收入证明", "低保申请书"], "resubmit-scan_0": scan("income.pdf")}, follow=True)
    assert "材料已补齐" in body_of(response)
    assert state_of(task) == TaskState.ACCEPTED
    assert task.supplement_notices.get().resolved_on == timezone.localdate()
    event = TaskEvent.objects.get(task=task, code="resubmit")
    assert sorted(event.documents.values_list("name", flat=True)) == ["低保申请书", "收入证明"]


def test_act_first_approval_then_completion(login, submit, relief):
    task = submit([relief], documents=["户口簿"]).tasks.get()
    client = login("handler.mz")
    assert "approve" in offered(client, task)
    body = body_of(client.get(task_url(task)))
    assert 'name="approve-act_first"' in body
    act(client, task, "approve", reason="火灾急难", amount="2000", act_first="on")
    task.refresh_from_db()
    assert task.state == TaskState.APPROVED and task.completion_pending
    assert offered(client, task) >= {"complete", "home_visit"} and "close" not in offered(client, task)
    act(client, task, "complete", note="已补齐入户调查和签字")
    assert not Task.objects.get(pk=task.pk).completion_pending
    act(client, task, "close")
    assert state_of(task) == TaskState.CLOSED


def test_refuse_needs_reasons_and_reinvestigate_takes_the_notice_down(login, submit, dibao):
    task = submit([dibao], documents=["户口簿", "收入证明"]).tasks.get()
    handler = _user("handler.mz")
    actions.accept_task(task, actor=handler)
    actions.start_investigation(task, actor=handler)
    actions.propose_decision(task, actor=handler, note="符合", amount=Decimal("100"))
    actions.publish_notice(task, actor=handler)
    actions.record_objection(task, actor=handler, content="有隐瞒收入")
    client = login("handler.mz")
    act(client, task, "reinvestigate", note="核查收入")
    assert state_of(task) == TaskState.INVESTIGATING
    assert task.notices.get().state == "withdrawn"
    response = act(client, task, "refuse", reason="")
    assert response.status_code == 200 and "不予批准须书面说明理由。" in body_of(response)
    assert state_of(task) == TaskState.INVESTIGATING
    act(client, task, "refuse", reason="家庭人均收入高于标准")
    task.refresh_from_db()
    assert task.state == TaskState.REFUSED and task.decision_reason == "家庭人均收入高于标准"


def test_transfer_to_another_department_and_withdraw_by_the_window(login, submit, make_policy, world):
    task = submit([make_policy()]).tasks.get()
    client = login("handler.mz")
    body = body_of(client.get(task_url(task)))
    assert "人社局" in body.split('data-action="transfer"')[1]
    act(client, task, "transfer", department=str(world.org("人社局").pk), note="属就业援助")
    task.refresh_from_db()
    assert task.department == world.org("人社局") and task.state == TaskState.RECEIVED
    # 区民政局's handler no longer handles it, and the page offers them nothing
    assert login("handler.mz").get(task_url(task)).status_code == 404
    clerk = login("clerk.wuxian")
    assert offered(clerk, task) == {"withdraw"}
    act(clerk, task, "withdraw", note="申请人书面撤回")
    assert state_of(task) == TaskState.WITHDRAWN


def test_the_dispatcher_assigns_a_handler_from_the_dispatch_page(login, submit, make_policy):
    task = submit([make_policy()]).tasks.get()
    assert task.handler is None
    client = login("dispatcher")
    page = body_of(client.get(reverse("intake:dispatch")))
    assert 'data-testid="unassigned"' in page and task.application.receipt_no in page
    response = client.post(reverse("intake:task_action", args=[task.pk, "assign"]), {
        "assign-handler": str(_user("handler.mz").pk), "next": reverse("intake:dispatch")})
    assert response.status_code == 302 and response["Location"] == reverse("intake:dispatch")
    assert Task.objects.get(pk=task.pk).handler.username == "handler.mz"
    # a handler of another department is not offered and is refused
    wrong = client.post(reverse("intake:task_action", args=[task.pk, "assign"]), {
        "assign-handler": str(_user("handler.rs").pk)})
    assert "请选择本部门的经办人。" in body_of(wrong)


def test_a_refused_action_shows_the_chinese_message_beside_its_form(login, submit, dibao):
    # given a task on public notice that is still running
    task = submit([dibao], documents=["户口簿", "收入证明"]).tasks.get()
    handler = _user("handler.mz")
    actions.accept_task(task, actor=handler)
    actions.start_investigation(task, actor=handler)
    actions.propose_decision(task, actor=handler, note="符合", amount=Decimal("100"))
    actions.publish_notice(task, actor=handler)
    client = login("handler.mz")
    # when the handler approves anyway
    response = act(client, task, "approve", reason="符合")
    # then the page comes back (no 500) with the action's message on the approve form, nothing moved
    body = body_of(response)
    assert response.status_code == 200
    assert "期满后才能批准" in body.split('data-action="approve"')[1].split("</details>")[0]
    assert state_of(task) == TaskState.NOTICE


def test_an_illegal_move_and_a_foreign_action_are_refused(login, submit, make_policy):
    task = submit([make_policy()]).tasks.get()
    client = login("handler.mz")
    response = act(client, task, "close")
    assert response.status_code == 200
    assert "不能“办结”" in body_of(response) and "可进行的操作" in body_of(response)
    assert client.post(reverse("intake:task_action", args=[task.pk, "explode"])).status_code == 404
    # a window clerk may not accept on the department's behalf
    refused = act(login("clerk.wuxian"), task, "accept")
    assert "您不能对该事项执行“受理”" in body_of(refused)
    assert state_of(task) == TaskState.RECEIVED
    assert login("handler.rs").post(reverse("intake:task_action", args=[task.pk, "accept"])).status_code == 404


def test_a_related_to_staff_case_asks_for_the_home_visit_before_refusing(login, submit, make_policy):
    task = submit([make_policy()], related_to_staff=True, related_staff_note="申请人系经办人表兄").tasks.get()
    handler = _user("handler.mz")
    actions.accept_task(task, actor=handler)
    actions.start_investigation(task, actor=handler)
    client = login("handler.mz")
    assert "refuse" not in offered(client, task)
    body = body_of(act(client, task, "refuse", reason="不符合"))
    assert "须先登记入户调查" in body
    assert "决定前须入户调查" in body


# --- lists and their query counts -----------------------------------------------------------------------


def _many_tasks(submit, policy, make_person, n):
    """n more applications for the policy, each by a new person 测试<k> (k counts on across calls)."""
    start = Application.objects.count()
    for i in range(start, start + n):
        submit([policy], applicant=make_person(f"测试{i}", seq=401 + 2 * i))


def test_my_tasks_lists_mine_overdue_first_in_bounded_queries(login, submit, make_policy, make_person,
                                                             django_assert_max_num_queries):
    policy = make_policy()
    _many_tasks(submit, policy, make_person, 3)
    late = Task.objects.order_by("pk").last()
    Task.objects.filter(pk=late.pk).update(received_on=timezone.localdate() - timedelta(days=90),
                                           due_date=timezone.localdate() - timedelta(days=1))
    client = login("handler.mz")
    with django_assert_max_num_queries(16):
        body = body_of(client.get(reverse("intake:my_tasks")))
    assert body.index(late.application.receipt_no) < body.index(Task.objects.order_by("pk").first()
                                                                 .application.receipt_no)
    assert 'data-testid="overdue"' in body and "已超期 1" in body
    _many_tasks(submit, policy, make_person, 12)
    with django_assert_max_num_queries(16):
        client.get(reverse("intake:my_tasks"))
    assert "已超期" in body_of(client.get(reverse("intake:my_tasks"), {"when": "overdue"}))
    filtered = body_of(client.get(reverse("intake:my_tasks"), {"state": "accepted"}))
    assert "没有需要您办理的事项。" in filtered
    # another department's handler has none of them
    assert "测试0" not in body_of(login("handler.rs").get(reverse("intake:my_tasks")))


def test_dispatch_page_is_bounded_and_shows_rates(login, submit, make_policy, make_person,
                                                 django_assert_max_num_queries):
    policy = make_policy()
    _many_tasks(submit, policy, make_person, 3)
    decided = Task.objects.order_by("pk").first()
    handler = _user("handler.mz")
    actions.accept_task(decided, actor=handler)
    actions.start_investigation(decided, actor=handler)
    actions.propose_decision(decided, actor=handler, note="符合", amount=Decimal("10"))
    actions.approve(decided, actor=handler, reason="符合")
    client = login("dispatcher")
    with django_assert_max_num_queries(23):
        body = body_of(client.get(reverse("intake:dispatch")))
    assert 'data-chart="bar"' in body and 'id="on-time-chart"' in body and "100.0%" in body
    _many_tasks(submit, policy, make_person, 10)
    with django_assert_max_num_queries(23):
        client.get(reverse("intake:dispatch"))
    one = body_of(client.get(reverse("intake:dispatch"), {"department": str(policy.department_id)}))
    assert "测试0" in body or "测试1" in one


def test_today_lists_the_windows_applications_in_bounded_queries(login, submit, make_policy, make_person,
                                                                django_assert_max_num_queries):
    policy = make_policy()
    _many_tasks(submit, policy, make_person, 2)
    client = login("clerk.wuxian")
    with django_assert_max_num_queries(13):
        body = body_of(client.get(reverse("intake:today")))
    assert "测试0" in body and "测试1" in body
    _many_tasks(submit, policy, make_person, 8)
    with django_assert_max_num_queries(13):
        client.get(reverse("intake:today"))
    assert "测试0" not in body_of(login("clerk.lianhua").get(reverse("intake:today")))


def test_person_page_lists_the_applications_the_viewer_may_see(login, submit, make_policy, make_person):
    person = make_person("杨全", seq=331)
    application = submit([make_policy("测试政策甲"), make_policy("测试政策乙", department="人社局")],
                         applicant=person)
    clerk = body_of(login("clerk.wuxian").get(reverse("registry:person_detail", args=[person.pk])))
    assert "申请记录" in clerk and application.receipt_no in clerk and "测试政策乙" in clerk
    assert reverse("intake:application_new", args=[person.pk]) in clerk
    rs = body_of(login("handler.rs").get(reverse("registry:person_detail", args=[person.pk])))
    assert application.receipt_no in rs and "测试政策乙" in rs and "测试政策甲" not in rs
    worker = body_of(login("social.worker").get(reverse("registry:person_detail", args=[person.pk])))
    assert "申请记录" not in worker
