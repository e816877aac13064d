"""Loading the administrative area tree from the fixture files shipped with the project."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction

from .choices import AreaLevel
from .models import Area

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CURRENT_FILE = FIXTURES / "tongan_areas.csv"
LEGACY_FILE = FIXTURES / "tongan_areas_legacy_sqldump2021.csv"

# 新民镇 and 西柯镇 were re-organised into 街道 in the NBS 2022 edition; the exact date of the
# State Council approval is not in our data, so their units end where the 2022 edition begins.
LEGACY_ENDED_ON = date(2022, 1, 1)

# Units of the old towns whose new codes are known (tongan_areas_NOTES.md).
LEGACY_SUCCESSORS = {
    "350212106001": "350212007007",  # 四口圳社区
    "350212106007": "350212007008",  # 湖安社区
    "350212108210": "350212007201",  # 美星村
}

# The parents above the district, so the tree has a root; they are context, not served areas.
UPPER_LEVELS = [
    ("350000000000", "福建省", AreaLevel.PROVINCE, None),
    ("350200000000", "厦门市", AreaLevel.CITY, "350000000000"),
]

# 竹坝华侨农场: the article's "镇(街、场)" includes a farm whose statistical code is not in our data.
# It gets a code with a letter so it can never be mistaken for (or collide with) an official one.
ZHUBA_FARM = ("350212L01000", "竹坝华侨农场", AreaLevel.FARM, "350212000000")


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _upsert(result: LoadResult, code: str, **fields) -> None:
    area = Area.objects.filter(code=code).first()
    if area is None:
        Area(code=code, **fields).save()
        result.created += 1
        return
    if any(getattr(area, name) != value for name, value in fields.items()):
        for name, value in fields.items():
            setattr(area, name, value)
        area.save()
        result.updated += 1


@transaction.atomic
def load_areas() -> LoadResult:
    """Create or update the area tree; running it again changes nothing."""
    result = LoadResult()
    for code, name, level, parent in UPPER_LEVELS:
        _upsert(result, code, name=name, level=level, parent_id=parent, source="nbs", is_local=False)
    for row in _read(CURRENT_FILE):
        _upsert(result, row["code"], name=row["name"], level=row["level"], parent_id=row["parent_code"],
                source=row["source"], is_local=False, valid_to=None)
    code, name, level, parent = ZHUBA_FARM
    _upsert(result, code, name=name, level=level, parent_id=parent, is_local=True, source="local")
    for row in _read(LEGACY_FILE):
        _upsert(result, row["code"], name=row["name"], level=row["level"], parent_id=row["parent_code"],
                source=row["source"], is_local=False, valid_to=LEGACY_ENDED_ON,
                successor_id=LEGACY_SUCCESSORS.get(row["code"]))
    return result
