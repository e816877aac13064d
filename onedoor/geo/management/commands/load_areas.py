from django.core.management.base import BaseCommand

from onedoor.geo.actions import load_areas


class Command(BaseCommand):
    help = "载入（或更新）同安区行政区划：现行区划、竹坝华侨农场（本地代码）和已撤并的旧镇。可重复运行。"

    def handle(self, *args, **options):
        result = load_areas()
        self.stdout.write(f"区划：新建 {result.created} 个，更新 {result.updated} 个。")
