"""Demo district, foundation part: the real area tree, the organisations and one account per role.
(Later apps add their own `demo_steps.py`.)"""

from __future__ import annotations

from django.db import transaction

from onedoor.accounts.actions import assign_role, create_staff
from onedoor.accounts.choices import OrganisationKind, Role
from onedoor.accounts.models import Organisation, User
from onedoor.geo.actions import load_areas
from onedoor.geo.models import Area

from .steps import demo_step

DEMO_PASSWORD = "onedoor-demo"
DISTRICT = "350212000000"

TOWN_OFFICES = {  # 镇(街、场) intake windows, one per current town-level area
    "350212001000": "大同街道", "350212002000": "祥平街道", "350212003000": "新民街道",
    "350212004000": "西柯街道", "350212005000": "祥和街道", "350212006000": "新美街道",
    "350212007000": "美林街道", "350212105000": "莲花镇", "350212107000": "洪塘镇",
    "350212109000": "汀溪镇", "350212110000": "五显镇", "350212L01000": "竹坝华侨农场",
}

DEPARTMENTS = [  # (full name, short name) — DOMAIN.md's example catalogue
    ("同安区人力资源和社会保障局", "人社局"), ("同安区教育局", "教育局"), ("同安区卫生健康局", "卫健局"),
    ("同安区医疗保障局", "医保局"), ("同安区住房和建设局", "住建局"), ("同安区残疾人联合会", "残联"),
    ("同安区总工会", "总工会"), ("同安区妇女联合会", "妇联"), ("共青团同安区委员会", "团区委"),
    ("同安区司法局", "司法局"), ("同安区红十字会", "红十字会"), ("同安区退役军人事务局", "退役军人局"),
    ("同安区农业农村局", "农业农村局"), ("同安区应急管理局", "应急局"), ("同安区财政局", "财政局"),
    ("厦门市公安局同安分局", "公安分局"), ("同安区城市管理局", "城管局"), ("同安区市场监督管理局", "市场监管局"),
    ("国家税务总局厦门市同安区税务局", "税务局"), ("厦门市自然资源和规划局同安分局", "自然资源分局"),
    ("厦门市住房公积金中心同安分中心", "公积金中心"), ("同安区工商业联合会", "工商联"),
    ("同安区交通运输局", "交通局"), ("国网同安供电公司", "供电公司"), ("同安区水务集团", "水务"),
]

OTHER_ORGANISATIONS = [
    ("同安区开心社会工作服务中心", "开心社工", OrganisationKind.SOCIAL_WORK),
    ("同安区慈善总会", "慈善总会", OrganisationKind.CHARITY),
    ("同安区救助管理站", "救助站", OrganisationKind.RESCUE_STATION),
    ("同安区农村信用合作银行", "合作银行", OrganisationKind.BANK),
    ("厦门古龙食品有限公司", "古龙", OrganisationKind.SUPPLIER),
    ("厦门银鹭食品集团有限公司", "银鹭", OrganisationKind.SUPPLIER),
    ("厦门旺家福商贸有限公司", "旺家福", OrganisationKind.SUPPLIER),
]

BUREAU = ("同安区民政局", "区民政局")


def _organisation(name: str, short: str, kind: str, area_code: str, parent=None) -> Organisation:
    org, _ = Organisation.objects.get_or_create(
        name=name, defaults={"short_name": short, "kind": kind, "area_id": area_code, "parent": parent}
    )
    return org


@demo_step(10, "行政区划")
def load_demo_areas(options: dict) -> str:
    result = load_areas()
    return f"新建 {result.created} 个，更新 {result.updated} 个，共 {Area.objects.count()} 个区划"


@demo_step(20, "机构")
@transaction.atomic
def load_demo_organisations(options: dict) -> str:
    bureau = _organisation(*BUREAU, OrganisationKind.BUREAU, DISTRICT)
    for code, town in TOWN_OFFICES.items():
        office = "人民政府" if town.endswith("镇") else ("管委会" if town.endswith("农场") else "办事处")
        _organisation(f"{town}{office}", town, OrganisationKind.TOWN_OFFICE, code, parent=bureau)
    for name, short in DEPARTMENTS:
        _organisation(name, short, OrganisationKind.DEPARTMENT, DISTRICT)
    for name, short, kind in OTHER_ORGANISATIONS:
        _organisation(name, short, kind, DISTRICT)
    return f"共 {Organisation.objects.count()} 个机构"


def _org(short: str) -> Organisation:
    return Organisation.objects.get(short_name=short)


# username, full name, organisation (short name), [(role, area code or None, organisation short name or None)]
DEMO_ACCOUNTS = [
    ("admin", "系统管理员", "区民政局", [(Role.ADMIN, None, None)]),
    ("dispatcher", "陈调度", "区民政局", [(Role.DISPATCHER, DISTRICT, None)]),
    ("clerk.wuxian", "林受理（五显镇）", "五显镇", [(Role.WINDOW_CLERK, "350212110000", "五显镇")]),
    ("clerk.lianhua", "黄受理（莲花镇）", "莲花镇", [(Role.WINDOW_CLERK, "350212105000", "莲花镇")]),
    ("handler.mz", "王经办（民政局）", "区民政局", [(Role.HANDLER, DISTRICT, "区民政局")]),
    ("handler.rs", "李经办（人社局）", "人社局", [(Role.HANDLER, DISTRICT, "人社局")]),
    ("social.worker", "张社工（开心社工）", "开心社工",
     [(Role.SOCIAL_WORKER, "350212110000", None), (Role.SOCIAL_WORKER, "350212001000", None)]),
    ("storekeeper", "郑保管", "区民政局", [(Role.STOREKEEPER, DISTRICT, None)]),
    ("patrol", "吴巡查", "救助站", [(Role.PATROL, DISTRICT, None)]),
    ("finance", "刘财务", "区民政局", [(Role.FINANCE, DISTRICT, None)]),
    ("leader", "苏局长", "区民政局", [(Role.LEADER, DISTRICT, None)]),
]


@demo_step(30, "演示账号")
@transaction.atomic
def load_demo_accounts(options: dict) -> str:
    created = 0
    for username, full_name, org_short, grants in DEMO_ACCOUNTS:
        if User.objects.filter(username=username).exists():
            continue
        user = create_staff(actor=None, username=username, full_name=full_name, organisation=_org(org_short),
                            password=DEMO_PASSWORD)
        for role, area_code, org_short_name in grants:
            assign_role(actor=None, user=user, role=role,
                        area=Area.objects.get(code=area_code) if area_code else None,
                        organisation=_org(org_short_name) if org_short_name else None, note="演示账号")
        created += 1
    return f"新建 {created} 个账号（密码均为 {DEMO_PASSWORD}）"
