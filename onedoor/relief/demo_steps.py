"""Demo relief stock in the article's order of magnitude (DOMAIN.md): 2,753 quilts in the bureau's
reserve (the warehouse and the town stores), water, noodles, oil and rice by the thousand at ten
agreement suppliers (古龙, 银鹭, 旺家福 and seven more), a few transfers to the towns, minimum levels
with one store below its minimum, and one batch of noodles about to expire (step 70).

Then (step 75) the demo year's cold-wave campaign 防寒送温暖 through `relief.campaigns`: every 特困供养
person, 孤儿 and 单人低保户 of the district on the roster, a quilt or a blanket each; deliveries in
progress (at article scale 471 items issued, as the article says "by yesterday"), each with a signature
drawn as a PNG, a few refused or unreachable, the rest pending; the warehouse's quilts issued are then
replenished from the agreement supplier, so the bureau's own reserve is back at 2,753."""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from onedoor.accounts.choices import OrganisationKind
from onedoor.accounts.models import Organisation, User
from onedoor.demo import synth
from onedoor.demo.demo_steps import DISTRICT, TOWN_OFFICES
from onedoor.demo.steps import demo_step
from onedoor.geo.models import Area
from onedoor.registry.models import Category

from .actions import deliver_call_off, place_call_off, receive_stock, set_minimum_level, transfer_stock
from .choices import Purpose, StoreKind
from .models import Agreement, AgreementLine, Item, StockMove, Store

ITEMS = [  # code, name, unit, pack sizes, perishable
    ("quilt", "棉被", "床", ["1.5m×2m 5斤"], False),
    ("blanket", "毛毯", "条", ["1.5m×2m"], False),
    ("cotton-coat", "棉衣", "件", ["M", "L", "XL"], False),
    ("water", "饮用水", "箱", ["550ml×24瓶"], True),
    ("noodles", "面", "袋", ["5kg"], True),
    ("oil", "食用油", "桶", ["5L"], True),
    ("rice", "大米", "袋", ["10kg", "25kg"], True),
]

# The three the article names plus seven more; each keeps a reserve of the listed items.
SUPPLIERS = [  # full name, short name, {item code: reserved quantity}
    ("厦门古龙食品有限公司", "古龙", {"noodles": 1500, "oil": 800}),
    ("厦门银鹭食品集团有限公司", "银鹭", {"water": 3000}),
    ("厦门旺家福商贸有限公司", "旺家福", {"rice": 1200, "oil": 600}),
    ("同安区惠民粮油商行", "惠民粮油", {"rice": 1000, "oil": 500}),
    ("厦门暖冬家纺有限公司", "暖冬家纺", {"quilt": 800, "blanket": 600}),
    ("同安区丰源米业有限公司", "丰源米业", {"rice": 1500}),
    ("厦门清泉饮用水有限公司", "清泉饮用水", {"water": 2500}),
    ("同安区好日子商贸有限公司", "好日子商贸", {"noodles": 1000, "water": 1000}),
    ("厦门福满仓超市有限公司", "福满仓", {"noodles": 800, "rice": 800, "oil": 400}),
    ("同安区康泰日用品商行", "康泰日用", {"cotton-coat": 500, "blanket": 300}),
]

WAREHOUSE = "同安区救灾物资仓库"
QUILTS_IN_RESERVE = 2753  # DOMAIN.md: the bureau's own quilt reserve
QUILTS_PER_TOWN = 50
LOW_TOWN = "汀溪镇"  # given fewer quilts than its minimum: the demo's low-stock alert


def _storekeeper() -> User:
    return User.objects.get(username="storekeeper")


def _items() -> dict[str, Item]:
    items = {}
    for code, name, unit, packs, perishable in ITEMS:
        items[code], _ = Item.objects.get_or_create(code=code, defaults={
            "name": name, "unit": unit, "pack_sizes": packs, "perishable": perishable})
    return items


def _store(name: str, kind: str, organisation: Organisation, area_id: str, **extra) -> tuple[Store, bool]:
    return Store.objects.get_or_create(name=name, defaults={
        "kind": kind, "organisation": organisation, "area_id": area_id, **extra})


@demo_step(70, "物资储备")
@transaction.atomic
def load_demo_stock(options: dict) -> str:
    if Store.objects.filter(name=WAREHOUSE).exists():
        return "已有物资储备，未改动"
    keeper = _storekeeper()
    items = _items()
    today = timezone.localdate()
    bureau = Organisation.objects.get(short_name="区民政局")
    warehouse, _ = _store(WAREHOUSE, StoreKind.WAREHOUSE, bureau, DISTRICT, address="同安区城南仓储区",
                          keeper="郑保管", phone="0592-7000000")
    towns = []
    for code, town in TOWN_OFFICES.items():
        store, _ = _store(f"{town}物资点", StoreKind.TOWN, Organisation.objects.get(short_name=town), code,
                          address=f"{town}民政办")
        towns.append((town, store))

    # The warehouse: the quilt reserve, the other goods in hundreds, food by batch.
    receive_stock(actor=keeper, store=warehouse, item=items["quilt"], quantity=QUILTS_IN_RESERVE,
                  purpose=Purpose.PURCHASE, note="年度冬储采购")
    receive_stock(actor=keeper, store=warehouse, item=items["blanket"], quantity=900, purpose=Purpose.PURCHASE,
                  note="年度冬储采购")
    receive_stock(actor=keeper, store=warehouse, item=items["cotton-coat"], quantity=400, purpose=Purpose.DONATION,
                  note="慈善总会捐赠")
    food = [("water", 600, 300), ("noodles", 500, 20), ("oil", 300, 400), ("rice", 800, 200)]
    for code, quantity, days in food:
        receive_stock(actor=keeper, store=warehouse, item=items[code], quantity=quantity, purpose=Purpose.PURCHASE,
                      expiry=today + timedelta(days=days), note="年度冬储采购")
    receive_stock(actor=keeper, store=warehouse, item=items["noodles"], quantity=400, purpose=Purpose.PURCHASE,
                  expiry=today + timedelta(days=240), note="补充采购")

    # Quilts and oil out to each town; 汀溪镇 gets fewer quilts than its minimum.
    for town, store in towns:
        quilts = 20 if town == LOW_TOWN else QUILTS_PER_TOWN
        transfer_stock(actor=keeper, from_store=warehouse, to_store=store, item=items["quilt"], quantity=quilts,
                       note="冬季前下发")
        transfer_stock(actor=keeper, from_store=warehouse, to_store=store, item=items["oil"], quantity=10,
                       note="冬季前下发")
        set_minimum_level(actor=keeper, store=store, item=items["quilt"], minimum=30)
    set_minimum_level(actor=keeper, store=warehouse, item=items["quilt"], minimum=1500)
    set_minimum_level(actor=keeper, store=warehouse, item=items["noodles"], minimum=200)

    # Ten agreement suppliers, each with its reserve on the books.
    for number, (name, short, reserve) in enumerate(SUPPLIERS, 1):
        org, _ = Organisation.objects.get_or_create(name=name, defaults={
            "short_name": short, "kind": OrganisationKind.SUPPLIER, "area_id": DISTRICT})
        store, _ = _store(f"{short}储备", StoreKind.SUPPLIER, org, DISTRICT)
        agreement = Agreement.objects.create(
            store=store, number=f"TAMZ-CB-{today.year}-{number:02d}", valid_from=today.replace(month=1, day=1),
            valid_to=today.replace(month=12, day=31), lead_time_days=1 if number <= 3 else 2,
            contact_name=f"{short}业务员", contact_phone=f"0592-71000{number:02d}")
        for code, quantity in reserve.items():
            AgreementLine.objects.create(agreement=agreement, item=items[code], reserved_quantity=quantity)
            receive_stock(actor=keeper, store=store, item=items[code], quantity=quantity, purpose=Purpose.PURCHASE,
                          expiry=today + timedelta(days=270) if items[code].perishable else None,
                          note="协议储备")
    return (f"{Item.objects.count()} 种物资、{Store.objects.count()} 个储备点、"
            f"{Agreement.objects.count()} 份储备协议、{StockMove.objects.count()} 笔出入库")


# --- the cold-wave campaign ----------------------------------------------------------------------------

CAMPAIGN_CATEGORIES = ["tekun", "orphan", "dibao_single"]  # the article: all 特困供养人员, 孤儿 and 单人低保户
QUILT_SUPPLIER = "暖冬家纺储备"


def signature_png(seed: int, key: str) -> bytes:
    """A scribbled signature (Pillow), different for each recipient and the same for a given seed."""
    from PIL import Image, ImageDraw

    draw_random = random.Random(f"{seed}|{key}")
    image = Image.new("RGB", (240, 90), "white")
    pen = ImageDraw.Draw(image)
    x, y = 15, 45
    for _ in range(draw_random.randint(10, 18)):
        nx, ny = min(x + draw_random.randint(6, 18), 230), max(10, min(80, y + draw_random.randint(-25, 25)))
        pen.line((x, y, nx, ny), fill="black", width=3)
        x, y = nx, ny
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _cold_wave(year: int) -> date:
    today = timezone.localdate()
    start = date(year, 12, 10)
    return start if start + timedelta(days=12) <= today else today - timedelta(days=12)


@demo_step(75, "防寒送温暖")
def load_demo_campaign(options: dict) -> str:
    from django.core.files.base import ContentFile

    from .campaigns import TeamSpec, create_campaign, deliver, generate_roster, set_entry_status
    from .choices import EntryStatus
    from .models import Campaign, RosterEntry

    plan = synth.plan_for(options, timezone.localdate())
    name = f"{plan.year}年冬季防寒送温暖"
    if Campaign.objects.filter(name=name).exists():
        return f"已有活动“{name}”，未改动"
    warehouse = Store.objects.filter(name=WAREHOUSE).first()
    if warehouse is None:
        return "没有物资储备，跳过"
    keeper = _storekeeper()
    items = _items()
    starts = _cold_wave(plan.year)
    teams = [TeamSpec(town=Area.objects.get(pk=code), store=warehouse,
                      organisation=Organisation.objects.get(short_name=town), leader=f"{town}民政办",
                      phone=f"0592-72{index:05d}")
             for index, (code, town) in enumerate(TOWN_OFFICES.items())]
    with transaction.atomic():
        campaign = create_campaign(
            actor=keeper, name=name, organisation=Organisation.objects.get(short_name="区民政局"),
            area=Area.objects.get(pk=DISTRICT), starts_on=starts, ends_on=starts + timedelta(days=80),
            categories=Category.objects.filter(code__in=CAMPAIGN_CATEGORIES), items={items["quilt"]: 1,
                                                                                     items["blanket"]: 1},
            store=warehouse, teams=teams, note="寒潮来临，全区特困供养人员、孤儿、单人低保户每人一床棉被或一条毛毯。")
        size = generate_roster(campaign, actor=keeper, on=starts)
    entries = list(RosterEntry.objects.filter(campaign=campaign).select_related("person")
                   .order_by("person__id_number"))
    draw = random.Random(plan.seed + 75)
    draw.shuffle(entries)
    if plan.scale == "article":
        delivered = min(len(entries), synth.ARTICLE_CAMPAIGN_ISSUED)
    else:
        delivered = round(len(entries) * plan.campaign_share)
    others = max(1, len(entries) // 50)
    quilts = 0
    for index, entry in enumerate(entries[:delivered]):
        on = min(starts + timedelta(days=1 + index * 12 // max(delivered, 1)), timezone.localdate())
        blanket = draw.random() < 0.2
        quilts += not blanket
        deliver(entry, actor=keeper, quantities={items["blanket" if blanket else "quilt"]: 1},
                signature=ContentFile(signature_png(plan.seed, entry.person.id_number or str(entry.pk)),
                                      name="signature.png"),
                recipient_name=entry.person.name, idempotency_key=f"demo-{campaign.pk}-{entry.pk}", on=on)
    rest = entries[delivered:]
    for entry in rest[:others]:
        set_entry_status(entry, EntryStatus.REFUSED, actor=keeper, note="本人表示家中棉被够用，婉拒。")
    for entry in rest[others:2 * others]:
        set_entry_status(entry, EntryStatus.UNREACHABLE, actor=keeper, note="多次上门无人，电话未接通。")
    supplier = Store.objects.filter(name=QUILT_SUPPLIER).first()
    if supplier is not None and quilts:
        order = place_call_off(actor=keeper, supplier=supplier, destination=warehouse, quantities={items["quilt"]: quilts},
                               note=f"{name}发放后按协议补库")
        deliver_call_off(order, actor=keeper, note="供应商按协议送达")
    return (f"活动“{name}”名单 {size} 人，已送达 {delivered} 人，拒收 {min(others, len(rest))} 人，"
            f"联系不上 {max(0, min(others, len(rest) - others))} 人；补库棉被 {quilts} 床")
