import json

from django.core.management.base import BaseCommand

from bench import runner


class Command(BaseCommand):
    help = "性能基准：每个用例与同一次运行中的原生基线对比，输出比值与目标。"
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
        parser.add_argument("--scale", type=int, help="数据规模（默认用每个用例自己的规模）")
        parser.add_argument("--case", help="只运行这个用例")
        parser.add_argument("--json", action="store_true", help="输出 JSON 列表")

    def handle(self, *args, db, scale, case, json: bool = False, **options):
        dbs = ["sqlite", "postgres"] if db == "both" else [db]
        results = runner.run(dbs, scale, case)
        if json:
            self.stdout.write(_dumps(results))
        else:
            self.stdout.write(runner.format_table(results))


def _dumps(results):
    return json.dumps(results, ensure_ascii=False, indent=2)
