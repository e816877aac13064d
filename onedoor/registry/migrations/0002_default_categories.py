"""The categories in use in 2026 (DOMAIN.md), shipped as data so every installation starts with them;
the bureau adds or retires categories in the admin."""

from django.db import migrations

CATEGORIES = [
    # code, name, subject, order
    ("tekun", "特困供养", "person", 10),
    ("dibao", "低保", "household", 20),
    ("dibao_edge", "低保边缘", "household", 30),
    ("dibao_single", "单人低保户", "household", 40),
    ("orphan", "孤儿", "person", 50),
    ("unsupported_child", "事实无人抚养儿童", "person", 60),
    ("child_in_difficulty", "困境儿童", "person", 70),
    ("left_behind_child", "留守儿童", "person", 80),
    ("severe_disability", "重度残疾", "person", 90),
    ("vagrant", "流浪乞讨", "person", 100),
    ("employment_difficulty", "就业困难人员", "person", 110),
]


def add_categories(apps, schema_editor):
    Category = apps.get_model("registry", "Category")
    for code, name, subject, order in CATEGORIES:
        Category.objects.get_or_create(code=code, defaults={"name": name, "subject": subject, "order": order})


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(add_categories, migrations.RunPython.noop)]
