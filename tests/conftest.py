"""The fixture district shared by all tests: the real 同安区 area tree, its organisations and one
account per role (the same as the demo's foundation), loaded once per test database."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

PASSWORD = "onedoor-demo"


def _restore_migration_data() -> None:
    """A transactional test flushes every table, including the rows data migrations ship (the default
    categories); put them back the way the migration does."""
    from importlib import import_module

    from django.apps import apps

    from onedoor.registry.models import Category

    if not Category.objects.exists():
        import_module("onedoor.registry.migrations.0002_default_categories").add_categories(apps, None)


def load_world() -> None:
    from onedoor.demo.demo_steps import load_demo_accounts, load_demo_areas, load_demo_organisations
    from onedoor.policies.demo_steps import load_demo_catalogue

    _restore_migration_data()
    load_demo_areas({})
    load_demo_organisations({})
    load_demo_accounts({})
    load_demo_catalogue({})  # the shipped policy catalogue, responsibility lines and standards


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_world()


@dataclass
class World:
    """Named things of the fixture district."""

    district: object
    wuxian: object        # 五显镇
    lianhua: object       # 莲花镇
    wuxian_village: object
    lianhua_village: object

    def user(self, username: str):
        from onedoor.accounts.models import User

        return User.objects.get(username=username)

    def org(self, short_name: str):
        from onedoor.accounts.models import Organisation

        return Organisation.objects.get(short_name=short_name)


@pytest.fixture
def world(db) -> World:
    from onedoor.accounts.models import User
    from onedoor.geo.models import Area

    if not User.objects.filter(username="admin").exists():  # a transactional test flushed the tables
        load_world()
    return World(
        district=Area.objects.get(code="350212000000"),
        wuxian=Area.objects.get(code="350212110000"),
        lianhua=Area.objects.get(code="350212105000"),
        wuxian_village=Area.objects.filter(parent_id="350212110000").order_by("code").first(),
        lianhua_village=Area.objects.filter(parent_id="350212105000").order_by("code").first(),
    )


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    # Jobs run in-process, at commit, through django-tasks' own immediate backend; one test runs the
    # real database worker (tests/core_jobs/test_jobs.py).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def login(client, world):
    """login("clerk.wuxian") -> the test client signed in as that demo account."""

    def sign_in(username: str):
        client.force_login(world.user(username), backend="django.contrib.auth.backends.ModelBackend")
        return client

    return sign_in


@pytest.fixture
def make_person(world):
    """make_person(name, birth=..., area=..., seq=...) registers a person through the action."""
    from datetime import date

    from onedoor.core.idnumber import make_id_number
    from onedoor.registry.actions import register_person

    counter = iter(range(100, 999, 2))

    def make(name="杨全", *, birth=date(1952, 3, 4), area=None, seq=None, actor=None, **extra):
        area = area or world.wuxian_village
        number = make_id_number("350212", birth, seq if seq is not None else next(counter))
        data = {"name": name, "id_number": number, "residence_area": area, **extra}
        return register_person(actor=actor or world.user("clerk.wuxian"), data=data)

    return make


# Intake fixtures, shared by intake, benefits and the apps that follow: policies are built in the test
# (not the shipped catalogue) so each test states the rules it relies on.
@pytest.fixture
def make_policy(world):
    from onedoor.policies.models import Policy

    counter = iter(range(1, 10_000))

    def make(name="最低生活保障", *, department="区民政局", **fields):
        code = fields.pop("code", f"test-{next(counter)}")
        defaults = {"kind": "monthly_cash", "time_limit_days": 30, "required_documents": []}
        defaults.update(fields)
        return Policy.objects.create(code=code, name=name, department=world.org(department), **defaults)

    return make


@pytest.fixture
def submit(world, make_person):
    """submit(policies, applicant=None, documents=(names...), actor="clerk.wuxian", **kw) -> Application."""
    from onedoor.intake.actions import ReceivedDocument, submit_application

    def make(policies, *, applicant=None, documents=(), actor="clerk.wuxian", window="五显镇", **extra):
        applicant = applicant or make_person()
        return submit_application(
            actor=world.user(actor) if actor else None, applicant=applicant, policies=list(policies),
            window=world.org(window), documents=[ReceivedDocument(name) for name in documents], **extra,
        )

    return make
