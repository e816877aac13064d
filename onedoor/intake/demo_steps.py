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
from onedoor.demo.steps import demo_step, refresh_statistics
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



# --- the demo year's applications, decided (bulk) ------------------------------------------------------

# (policy, outcome, how many at article scale). The employment lines are the article's figures: 35,625
# employment registrations (职业介绍与职业指导), 1,381 people newly recognised as 就业困难, 1,355 in
# flexible employment with the social-insurance subsidy. The rest give the one-window figures a year of
# work across departments, channels and towns.
YEAR_MIX = [
    ("rs-job-services", "approved", 35625), ("rs-employment-difficulty", "approved", 1381),
    ("rs-employment-difficulty", "refused", 120), ("rs-flexible-insurance", "approved", 1355),
    ("rs-public-jobs", "approved", 300), ("rs-public-jobs", "withdrawn", 20),
    ("mz-dibao", "approved", 520), ("mz-dibao", "refused", 150), ("mz-dibao", "withdrawn", 30),
    ("mz-tekun", "approved", 100), ("mz-tekun", "refused", 20), ("mz-temp-expense", "approved", 760),
    ("mz-temp-expense", "refused", 140), ("mz-temp-urgent", "approved", 400), ("mz-elderly-allowance", "approved", 500),
    ("jy-compulsory-aid", "approved", 600), ("jy-compulsory-aid", "refused", 50), ("yb-medical-aid", "approved", 800),
    ("zj-public-rental", "approved", 90), ("zj-public-rental", "refused", 60), ("cl-assistive-devices", "approved", 200),
    ("sf-legal-aid", "approved", 180), ("wj-family-doctor", "approved", 300),
]
YEAR_CHANNELS = [(Channel.WINDOW, 70), (Channel.ONLINE, 20), (Channel.HOTLINE, 3), (Channel.REFERRAL, 5),
                 (Channel.PROACTIVE, 2)]
LATE_SHARE = 0.06  # decided after the due date
ONE_OFF_AMOUNTS = [500, 800, 1000, 1500, 2000, 3000, 5000]


def _year_paths(outcome: str, notice: bool) -> list[tuple[str, str, str]]:
    """(event code, from, to) after the submission, along the transition map."""
    steps = [("accept", "received", "accepted"), ("investigate", "accepted", "investigating")]
    if outcome == "withdrawn":
        return steps[:1] + [("withdraw", "accepted", "withdrawn")]
    if outcome == "refused":
        return [*steps, ("refuse", "investigating", "refused")]
    steps.append(("propose", "investigating", "proposed"))
    if notice:
        steps.append(("publish_notice", "proposed", "notice"))
    return [*steps, ("approve", "notice" if notice else "proposed", "approved"), ("close", "approved", "closed")]


@demo_step(62, "全年申请")
def load_demo_year_applications(options: dict) -> str:
    """A year of applications that went the whole way (received → … → approved and closed, refused, or
    withdrawn), dated through the demo year, written in bulk with their events along the transition map
    (tens of thousands through the actions one by one would take an hour at article scale; step 60 shows
    the actions). Applicants are the synthetic people — working-age ones for the employment lines, so at
    article scale a person may register with the employment services more than once a year."""
    import random
    from datetime import date, datetime, time

    from onedoor.core.workdays import WorkCalendar
    from onedoor.demo import synth
    from onedoor.intake.actions import receipt_prefix
    from onedoor.policies.models import Responsibility
    from onedoor.registry.models import Household

    from .models import ReceiptSequence

    plan = synth.plan_for(options, timezone.localdate())
    start, end = date(plan.year, 1, 1), date(plan.year, 12, 31)
    if Application.objects.filter(submitted_at__date__gte=start, submitted_at__date__lte=end,
                                  statement__startswith="【演示】").exists():
        return f"{plan.year}年已有演示申请，未重复生成"
    policies = Policy.objects.select_related("department").in_bulk({code for code, *_ in YEAR_MIX},
                                                                  field_name="code")
    if len(policies) < len({code for code, *_ in YEAR_MIX}):
        return "政策目录尚未载入，跳过"
    people = list(Person.objects.filter(id_number__startswith="350212", death_date__isnull=True)
                  .order_by("id_number").values_list("pk", "id_number", "birth_date", "residence_area_id"))
    if not people:
        return "演示救助对象不足，跳过"
    working = [p for p in people if 18 <= synth.age_on(p[2], start) <= 60] or people
    households = dict(Household.objects.filter(dissolved_on__isnull=True).values_list("head_id", "pk"))
    windows = {o.area_id: o for o in Organisation.objects.filter(kind="town_office")}
    lines = {line.policy_id: line for line in Responsibility.objects.filter(area_id="350212000000",
                                                                            valid_to__isnull=True)}
    handlers = {"区民政局": _user("handler.mz"), "人社局": _user("handler.rs")}
    clerks = {str(o): User.objects.filter(username=u).first() for o, u in
              ((windows.get("350212110000"), "clerk.wuxian"), (windows.get("350212105000"), "clerk.lianhua"))}
    calendar = WorkCalendar.load(start, date(plan.year + 1, 3, 31))
    draw = random.Random(plan.seed + 62)
    factor = plan.total_households / sum(synth.ARTICLE_HOUSEHOLDS.values())
    tz = timezone.get_current_timezone()
    working_days = [d for d in (start + timedelta(days=n) for n in range((end - start).days - 30))
                    if calendar.is_working_day(d)]
    counters: dict[tuple[str, date], int] = {}
    made = 0
    for code, outcome, article_count in YEAR_MIX:
        policy = policies[code]
        count = max(1, round(article_count * factor))
        pool = working if code.startswith("rs-") else people
        notice = bool(policy.notice_required)
        for chunk_start in range(0, count, 2000):
            apps, tasks, paths = [], [], []
            for _ in range(min(2000, count - chunk_start)):
                pk, _number, _birth, area_id = draw.choice(pool)
                town = area_id[:9] + "000"
                window = windows.get(town) or windows["350212001000"]
                channel = draw.choices([c for c, _ in YEAR_CHANNELS], [w for _, w in YEAR_CHANNELS])[0]
                received = draw.choice(working_days)
                counters[(receipt_prefix(town), received)] = counters.get((receipt_prefix(town), received), 0) + 1
                submitted = datetime.combine(received, time(8, 30), tz) + timedelta(minutes=draw.randrange(480))
                apps.append(Application(
                    receipt_no=f"{receipt_prefix(town)}-{received:%Y%m%d}-{counters[(receipt_prefix(town), received)]:04d}",
                    applicant_id=pk, household_id=households.get(pk), area_id=area_id, window=window,
                    clerk=None if channel == Channel.ONLINE else clerks.get(str(window)), channel=channel,
                    statement=f"【演示】申请{policy.name}。", consent_to_checks=True, submitted_at=submitted))
                limit = policy.time_limit_days
                late = draw.random() < LATE_SHARE
                took = limit + draw.randint(1, 8) if late else draw.randint(max(1, limit // 4), limit)
                due = add_working_days(received, limit, calendar)
                decided = add_working_days(received, took, calendar).date
                decided_at = datetime.combine(decided, time(16, 0), tz) + timedelta(minutes=draw.randrange(90))
                final = {"approved": "closed", "refused": "refused", "withdrawn": "withdrawn"}[outcome]
                amount = None
                if outcome == "approved" and policy.kind == PolicyKind.ONE_OFF_CASH:
                    amount = Decimal(draw.choice(ONE_OFF_AMOUNTS))
                line = lines.get(policy.pk)
                tasks.append(Task(
                    policy=policy, department=policy.department, handler=handlers.get(str(policy.department)),
                    responsibility=line, area_id=area_id, state=final, received_on=received, due_date=due.date,
                    due_estimated=due.estimated, decided_at=None if outcome == "withdrawn" else decided_at,
                    decision_reason={"approved": "经审核，符合条件，予以批准。", "refused": "经核对，不符合条件。",
                                     "withdrawn": ""}[outcome], decided_amount=amount,
                    decided_goods=GOODS.get(policy.kind, "") if outcome == "approved" else "",
                    closed_at=decided_at + timedelta(days=2) if outcome == "approved" else None,
                    created_at=submitted))
                paths.append((submitted, decided_at, _year_paths(outcome, notice)))
            with transaction.atomic():
                apps = Application.objects.bulk_create(apps, batch_size=1000)
                for application, task in zip(apps, tasks, strict=True):
                    task.application = application
                tasks = Task.objects.bulk_create(tasks, batch_size=1000)
                events = []
                for task, (submitted, decided_at, path) in zip(tasks, paths, strict=True):
                    actor = task.handler
                    events.append(TaskEvent(task=task, actor=None, code="submit", to_state="received",
                                            occurred_at=submitted, note=f"分派至{task.department}"))
                    step = (decided_at - submitted) / len(path)
                    for index, (event_code, source, target) in enumerate(path):
                        when = decided_at + timedelta(days=2) if event_code == "close" else submitted + step * (index + 1)
                        events.append(TaskEvent(task=task, actor=actor, code=event_code, from_state=source,
                                                to_state=target, occurred_at=when))
                TaskEvent.objects.bulk_create(events, batch_size=2000)
            made += len(apps)
    existing = set(ReceiptSequence.objects.filter(day__gte=start, day__lte=end).values_list("prefix", "day"))
    ReceiptSequence.objects.bulk_create([ReceiptSequence(prefix=prefix, day=day, last=last)
                                         for (prefix, day), last in counters.items() if (prefix, day) not in existing],
                                        batch_size=2000)
    refresh_statistics()
    return f"{plan.year}年申请 {made} 件（已办结、不予批准、撤回），按责任清单分到 {len({c for c, *_ in YEAR_MIX})} 项政策"
