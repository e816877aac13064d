"""The area tree of 同安区 loaded from the project's own fixture files."""

from datetime import date

from onedoor.geo.actions import LEGACY_ENDED_ON, load_areas
from onedoor.geo.models import Area


def test_tree_has_the_district_its_towns_and_villages(world):
    towns = Area.objects.current().filter(parent_id="350212000000").values_list("name", flat=True)
    assert {"大同街道", "祥平街道", "莲花镇", "洪塘镇", "汀溪镇", "五显镇", "竹坝华侨农场"} <= set(towns)
    assert Area.objects.get(code="350212105000").level == "town"
    assert Area.objects.filter(parent_id="350212105000").count() >= 19


def test_every_area_but_the_top_has_a_loaded_parent(world):
    orphans = Area.objects.exclude(level="province").filter(parent__isnull=True)
    assert not orphans.exists()


def test_farm_has_a_local_code_never_an_official_one(world):
    farm = Area.objects.get(name="竹坝华侨农场")
    assert farm.is_local and farm.level == "farm"
    assert not farm.code.isdigit()  # a letter marks it: it cannot collide with a statistical code
    assert world.district.contains(farm)


def test_old_towns_are_kept_as_ended_areas(world):
    xinmin = Area.objects.get(code="350212106000")
    assert xinmin.name == "新民镇" and xinmin.valid_to == LEGACY_ENDED_ON
    assert not Area.objects.current().filter(code="350212106000").exists()
    assert Area.objects.current(on=date(2021, 6, 1)).filter(code="350212106000").exists()
    old = Area.objects.get(code="350212106001")
    assert old.successor_id == "350212007007"  # 四口圳社区 moved to 美林街道


def test_loading_again_changes_nothing(world):
    before = Area.objects.count()
    result = load_areas()
    assert (result.created, result.updated) == (0, 0)
    assert Area.objects.count() == before


def test_search_by_initials_pinyin_traditional_and_digits(world):
    assert list(Area.objects.search("wx").filter(level="town").values_list("name", flat=True)) == ["五显镇"]
    assert Area.objects.search("lianhua").filter(code="350212105000").exists()
    assert Area.objects.search("五顯").filter(code="350212110000").exists()
    assert Area.objects.search("350212105").count() == Area.objects.filter(code__startswith="350212105").count()


def test_ancestors_and_full_name(world, django_assert_num_queries):
    village = world.wuxian_village
    with django_assert_num_queries(1):
        names = [a.name for a in village.ancestors()]
    assert names == ["福建省", "厦门市", "同安区", "五显镇"]
    assert village.full_name == "同安区五显镇" + village.name
