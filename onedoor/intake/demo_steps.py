"""Demo district, intake part: about forty applications of the demo people at several town windows, each
brought to its state through the intake actions — just received, accepted, under investigation, back
for 补正, proposed, on public notice, objected to, approved (one under 先行救助), refused, closed,
transferred, withdrawn, and one past its due date — and then the day's escalation run.

Runs after the catalogue (order 40, `policies.demo_steps`) and the demo people (order 40,
`registry.demo_steps`); without them it skips with a message. Idempotent: once any application exists,
it changes nothing.

The actions stamp today's date; to give the queues a history, each application is then dated back a
number of days (receipt, due date recomputed from the policy's limit, events spread over the days since).
That rewrites dates only, never a state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from onedoor.accounts.models import Organisation, User
from onedoor.core.workdays import add_working_days
from onedoor.demo.steps import demo_step
from onedoor.policies.choices import PolicyKind
from onedoor.policies.models import Policy
from onedoor.registry.models import HouseholdMember, Person

from . import actions
from .choices import Channel
from .deadlines import escalate_overdue
from .models import Application, Task, TaskEvent

HANDLERS = {"区民政局": "handler.mz", "人社局": "handler.rs"}
CLERKS = {"五显镇": "clerk.wuxian", "莲花镇": "clerk.lianhua"}
AMOUNTS = {PolicyKind.MONTHLY_CASH: "450.00", PolicyKind.ONE_OFF_CASH: "2000.00", PolicyKind.LOAN: "100000.00"}
GOODS = {PolicyKind.IN_KIND: "棉被2床、大米20斤、食用油5升", PolicyKind.SERVICE: "上门照料服务每周2次"}


@dataclass(frozen=True)
class Story:
    """One demo application: what is asked for, how far each task got, how many days ago it came in."""

    policies: tuple[str, ...]
    path: str
    days_ago: int
    channel: str = Channel.WINDOW
    statement: str = "家庭生活困难，申请救助。"
    complete_documents: bool = True
    related_to_staff: bool = False
    extra: dict = field(default_factory=dict)


STORIES = [
    Story(("mz-dibao",), "received", 1, statement="丈夫去年病故，本人无固定收入，独自抚养两个孩子。"),
    Story(("mz-dibao", "yb-medical-aid"), "received", 2, statement="患慢性肾病长期透析，医疗费用负担重。"),
    Story(("rs-employment-difficulty",), "received", 0, statement="失业一年多，年龄偏大找不到工作。"),
    Story(("mz-elderly-allowance",), "received", 3, channel=Channel.ONLINE, statement="年满80周岁，申请高龄津贴。"),
    Story(("jy-compulsory-aid",), "received", 2, statement="孩子在读初二，家庭困难。"),
    Story(("cl-assistive-devices",), "received", 4, channel=Channel.REFERRAL, statement="社工转介：需轮椅一台。"),
    Story(("mz-tekun",), "overdue", 60, statement="74岁独居老人，无子女，无收入来源。"),
    Story(("mz-dibao",), "accepted", 5, statement="家中两位老人均患病，儿子残疾。"),
    Story(("rs-public-jobs",), "accepted", 6, statement="希望安排公益性岗位。"),
    Story(("mz-temp-expense",), "accepted", 4, statement="孩子住院手术，自付费用三万余元。"),
    Story(("mz-dibao",), "investigating", 10, statement="务农收入微薄，妻子常年卧床。"),
    Story(("mz-tekun",), "investigating", 12, related_to_staff=True,
          statement="申请人之弟为镇民政办工作人员，已单独登记备案。"),
    Story(("zj-public-rental",), "investigating", 15, statement="租住危房，申请公租房。"),
    Story(("mz-dibao", "jy-compulsory-aid"), "returned", 8, statement="在外务工受伤返乡，孩子读小学。"),
    Story(("mz-temp-expense",), "missing", 3, complete_documents=False, statement="家中失火，医疗支出大。"),
    Story(("mz-dibao",), "missing", 2, complete_documents=False, statement="离异后独自生活，收入不稳定。"),
    Story(("mz-dibao-edge",), "proposed", 14, statement="家庭人均收入略高于低保标准。"),
    Story(("mz-elderly-allowance",), "proposed", 9, statement="年满85周岁。"),
    Story(("mz-dibao",), "notice", 18, statement="一家三口，丈夫重病失去劳动能力。"),
    Story(("mz-tekun",), "notice", 20, statement="重度残疾，无劳动能力，父母已故。"),
    Story(("mz-dibao",), "objected", 22, statement="家中两个孩子上学，仅靠打零工维持。"),
    Story(("mz-dibao",), "approved", 30, statement="夫妻均年老体弱，无子女赡养。"),
    Story(("mz-elderly-allowance",), "approved", 16, statement="年满90周岁。"),
    Story(("rs-employment-difficulty",), "approved", 12, statement="下岗多年，家庭困难。"),
    Story(("mz-warmth",), "approved", 3, statement="寒潮来临，独居老人缺少御寒衣被。"),
    Story(("mz-temp-urgent",), "act_first", 1, channel=Channel.HOTLINE,
          statement="凌晨住房失火，一家四口无处安身，热线求助。"),
    Story(("mz-temp-urgent",), "act_first_completed", 9, statement="交通事故致家中主要劳动力重伤。"),
    Story(("mz-dibao",), "refused", 25, statement="申请低保。"),
    Story(("jy-compulsory-aid",), "refused", 14, statement="申请教育资助。"),
    Story(("mz-temp-expense",), "refused", 11, statement="申请临时救助。"),
    Story(("mz-dibao",), "closed", 45, statement="因病致贫，妻子患癌症。"),
    Story(("mz-temp-expense",), "closed", 20, statement="孩子白血病治疗费用高。"),
    Story(("rs-job-services",), "closed", 18, statement="希望参加职业技能培训。"),
    Story(("mz-elderly-allowance",), "closed", 26, statement="年满80周岁。"),
    Story(("rs-employment-difficulty",), "transferred", 7, extra={"to": "区民政局"},
          statement="实为生活困难，希望得到基本生活保障。"),
    Story(("mz-temp-expense",), "transferred", 5, extra={"to": "医保局"}, statement="住院费用报销后仍有困难。"),
    Story(("mz-dibao",), "withdrawn", 10, statement="申请低保。"),
    Story(("sf-legal-aid",), "received", 1, statement="讨要工伤赔偿，请不起律师。"),
    Story(("mz-dibao", "mz-temp-expense"), "investigating", 13, statement="家中老人突发脑梗，医疗支出大。"),
    Story(("wj-family-doctor",), "received", 2, statement="行动不便，申请家庭医生签约上门服务。"),
]


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _window_of(person: Person) -> Organisation:
    town = person.residence_area_id[:9] + "000"
    return Organisation.objects.get(kind="town_office", area_id=town)


def _handler_for(task: Task) -> User:
    return _user(HANDLERS.get(str(task.department), "dispatcher"))


def _decision(task: Task) -> dict:
    kind = task.policy.kind
    return {"amount": Decimal(AMOUNTS[kind]) if kind in AMOUNTS else None, "goods": GOODS.get(kind, "")}


def _investigate(task: Task, actor: User) -> Task:
    task = actions.accept_task(task, actor=actor)
    actions.record_home_visit(task, actor=actor, visited_on=timezone.localdate(), second_staff="村委会 陈主任",
                              findings="入户核实：家庭成员、住房和收入情况与申报一致。", family_present="申请人本人",
                              signed_by_family=True)
    return Task.objects.get(pk=task.pk)


def _propose(task: Task, actor: User) -> Task:
    task = _investigate(task, actor)
    content = _decision(task)
    return actions.propose_decision(task, actor=actor, note="经入户调查和信息核对，符合条件，建议批准。",
                                    amount=content["amount"], goods=content["goods"])


def _approve(task: Task, actor: User) -> Task:
    task = _propose(task, actor)
    if task.policy.notice_required:
        actions.publish_notice(task, actor=actor, starts_on=timezone.localdate() - timedelta(days=8))
    return actions.approve(Task.objects.get(pk=task.pk), actor=actor, reason="经调查核实，符合条件，予以批准。")


def _move(task: Task, path: str, story: Story) -> None:
    """Bring one task along `path` through the actions."""
    if task.state == "returned" and path != "missing":
        return  # waiting for documents the window asked for at submission
    actor = _handler_for(task)
    if task.handler_id is None and str(task.department) in HANDLERS:
        actions.assign_handler(task, actor=_user("dispatcher"), handler=actor, note="按责任清单分派")
    if path in ("received", "overdue", "missing"):
        return
    if path == "accepted":
        actions.accept_task(task, actor=actor)
    elif path == "investigating":
        _investigate(task, actor)
    elif path == "returned":
        task = actions.accept_task(task, actor=actor)
        actions.return_for_documents(task, actor=actor, missing=["收入证明", "医疗费用票据"],
                                     note="收入证明未盖章，医疗费用票据缺原件。")
    elif path == "proposed":
        _propose(task, actor)
    elif path in ("notice", "objected"):
        task = _propose(task, actor)
        if task.policy.notice_required:
            actions.publish_notice(task, actor=actor, starts_on=timezone.localdate() - timedelta(days=2))
            if path == "objected":
                actions.record_objection(task, actor=actor, raised_by="同村村民",
                                         content="申请人家中有一辆货车用于经营，收入未申报。")
    elif path == "approved":
        _approve(task, actor)
    elif path in ("act_first", "act_first_completed"):
        task = actions.approve(task, actor=actor, reason="情况紧急，先行救助，事后补齐手续。",
                               amount=Decimal("3000.00"), act_first=True)
        if path == "act_first_completed":
            actions.record_home_visit(task, actor=actor, visited_on=timezone.localdate(), second_staff="社工 张某",
                                      findings="事后入户核实情况属实。", signed_by_family=True)
            actions.complete_act_first(task, actor=actor, note="已补齐入户调查和签字手续。")
    elif path == "refused":
        task = actions.accept_task(task, actor=actor)
        actions.start_investigation(task, actor=actor)
        actions.refuse(task, actor=actor, reason="经信息核对，家庭人均收入高于规定标准，不符合条件。")
    elif path == "closed":
        actions.close_task(_approve(task, actor), actor=actor, note="已送达决定书。")
    elif path == "transferred":
        actions.transfer_task(task, actor=_user("dispatcher"), department=Organisation.objects.get(
            short_name=story.extra["to"]), note="经审核，该事项应由其他部门办理。")
    elif path == "withdrawn":
        actions.withdraw(task, actor=_user(CLERKS.get(str(task.application.window), "dispatcher")),
                         note="申请人书面申请撤回。")


def _date_back(application: Application, days: int) -> None:
    """Move the application's dates `days` back; events are spread over the days since (see the module doc)."""
    if days <= 0:
        return
    now = timezone.now()
    start = now - timedelta(days=days)
    Application.objects.filter(pk=application.pk).update(submitted_at=start)
    received = timezone.localdate(start)
    for task in application.tasks.select_related("policy"):
        due = add_working_days(received, task.policy.time_limit_days)
        events = list(TaskEvent.objects.filter(task=task).order_by("occurred_at", "pk"))
        step = timedelta(days=days) / (len(events) + 1)
        for index, event in enumerate(events):
            TaskEvent.objects.filter(pk=event.pk).update(occurred_at=start + step * index)
        changes: dict = {"received_on": received, "due_date": due.date, "due_estimated": due.estimated,
                         "created_at": start}
        if task.paused_on:
            changes["paused_on"] = max(received, task.paused_on - timedelta(days=days // 2))
        if task.decided_at:
            changes["decided_at"] = now - step
        Task.objects.filter(pk=task.pk).update(**changes)
    application.documents.update(received_at=start)
    application.supplement_notices.update(issued_on=F("issued_on") - timedelta(days=days // 2))


def _people() -> list[Person]:
    """Heads of the demo households, in town order, so the applications spread over the windows."""
    heads = (HouseholdMember.objects.filter(left_on__isnull=True, relation="head")
             .select_related("person").order_by("household__residence_area_id", "pk"))
    people = [m.person for m in heads if m.person.death_date is None]
    return people or list(Person.objects.filter(death_date__isnull=True).order_by("residence_area_id", "pk"))


@demo_step(60, "受理申请")
def load_demo_applications(options: dict) -> str:
    if Application.objects.exists():
        return f"已有 {Application.objects.count()} 件申请，未重复生成"
    codes = {code for story in STORIES for code in story.policies}
    policies = Policy.objects.in_bulk(codes, field_name="code")
    if len(policies) < len(codes):
        return "政策目录尚未载入（缺少 " + "、".join(sorted(codes - set(policies))) + "），跳过"
    people = _people()
    if len(people) < 10:
        return "演示救助对象不足，跳过"
    with transaction.atomic():
        for index, story in enumerate(STORIES):
            person = people[index * 7 % len(people)] if len(people) > len(STORIES) else people[index % len(people)]
            window = _window_of(person)
            clerk = None if story.channel == Channel.ONLINE else _user(CLERKS.get(str(window), "dispatcher"))
            chosen = [policies[code] for code in story.policies]
            documents = sorted({name for policy in chosen for name in policy.required_documents})
            if not story.complete_documents:
                documents = documents[:1]
            membership = person.memberships.filter(left_on__isnull=True).select_related("household").first()
            application = actions.submit_application(
                actor=clerk, applicant=person, policies=chosen, window=window, channel=story.channel,
                statement=story.statement, household=membership.household if membership else None,
                documents=[actions.ReceivedDocument(name) for name in documents], consent_to_checks=True,
                related_to_staff=story.related_to_staff,
                related_staff_note="申请人之弟为镇民政办工作人员" if story.related_to_staff else "",
                contact_phone=person.phone,
                act_first=[c for c in story.policies if story.path.startswith("act_first")],
            )
            for task in application.tasks.select_related("policy", "application__window", "department"):
                _move(task, story.path, story)
            _date_back(application, story.days_ago)
    escalated = escalate_overdue()
    return f"生成 {len(STORIES)} 件申请、{Task.objects.count()} 项办理事项；{escalated}"

