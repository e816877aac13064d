import logging
import time

from django.core.management.base import BaseCommand, CommandError

from onedoor.demo.models import LoadedStep
from onedoor.demo.steps import steps
from onedoor.demo.synth import plan_for


class Command(BaseCommand):
    help = ("载入演示区（同安区）：区划、机构、各角色演示账号、政策目录，以及按 --scale 生成的救助对象、一年的申请、"
            "待遇与 12 个月的发放、贷款、防寒送温暖活动和物资储备。每一步都可重复运行；同一 --seed 生成相同的数据。")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="跳过本数据库中已经载入过的步骤（make run 使用）")
        parser.add_argument("--scale", default="small",
                            help="small（默认，几秒钟）、article（接近报道中的全年数字）或户数 N")
        parser.add_argument("--year", type=int, default=None, help="发放年度（默认上一年）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（默认 2026）")

    def handle(self, *args, once=False, **options):
        from django.utils import timezone

        try:
            plan_for(options, timezone.localdate())
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        # The demo's own applications notify their handlers through the message sender; one log line
        # each would bury the step summaries, so the sender's log is quieted while the demo loads.
        logging.getLogger("onedoor.core.notify").setLevel(logging.WARNING)
        done = set(LoadedStep.objects.values_list("name", flat=True)) if once else set()
        started, ran = time.monotonic(), 0
        for step in steps():
            if step.name in done:
                continue
            began = time.monotonic()
            summary = step.run(options)
            LoadedStep.objects.update_or_create(name=step.name, defaults={"summary": summary[:300]})
            self.stdout.write(f"[演示数据] {step.name}：{summary}（{time.monotonic() - began:.1f} 秒）")
            ran += 1
        if ran:
            self.stdout.write(f"[演示数据] 完成，用时 {time.monotonic() - started:.1f} 秒")
