import logging

from django.core.management.base import BaseCommand

from onedoor.demo.models import LoadedStep
from onedoor.demo.steps import steps


class Command(BaseCommand):
    help = "载入演示区（同安区）：区划、机构、各角色演示账号，以及后续模块的演示数据。每一步都可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="跳过本数据库中已经载入过的步骤（make run 使用）")

    def handle(self, *args, once=False, **options):
        # The demo's own applications notify their handlers through the message sender; one log line
        # each would bury the step summaries, so the sender's log is quieted while the demo loads.
        logging.getLogger("onedoor.core.notify").setLevel(logging.WARNING)
        done = set(LoadedStep.objects.values_list("name", flat=True)) if once else set()
        for step in steps():
            if step.name in done:
                continue
            summary = step.run(options)
            LoadedStep.objects.update_or_create(name=step.name, defaults={"summary": summary[:300]})
            self.stdout.write(f"[演示数据] {step.name}：{summary}")
