import pytest

from onedoor.core.idnumber import make_id_number


@pytest.fixture
def make_person(world):
    """make_person(name, birth=..., area=..., seq=...) registers a person through the action."""
    from datetime import date

    from onedoor.registry.actions import register_person

    counter = iter(range(100, 999, 2))

    def make(name="杨全", *, birth=date(1952, 3, 4), area=None, seq=None, actor=None, **extra):
        area = area or world.wuxian_village
        number = make_id_number("350212", birth, seq if seq is not None else next(counter))
        data = {"name": name, "id_number": number, "residence_area": area, **extra}
        return register_person(actor=actor or world.user("clerk.wuxian"), data=data)

    return make
