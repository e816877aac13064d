from __future__ import annotations

import io

from django_tasks import task

from onedoor.core.jobs import running
from onedoor.core.tabular import Column, Sheet, write_xlsx

from .models import Area

COLUMNS = [
    Column("区划代码", width=16), Column("名称", width=20), Column("级别", width=8),
    Column("上级代码", width=16), Column("上级名称", width=16), Column("状态", width=8), Column("代码来源", width=12),
]


@task()
def export_areas(job_id: int) -> None:
    """The areas the job's creator may see, as an xlsx file attached to the job."""
    with running(job_id) as progress:
        user = progress.job.created_by
        areas = Area.objects.visible_to(user).select_related("parent").order_by("code")
        progress.set_total(areas.count())
        rows = []
        for area in areas.iterator(chunk_size=500):
            rows.append([
                area.code, area.name, area.get_level_display(), area.parent_id or "",
                area.parent.name if area.parent else "", "在用" if area.is_current else "已撤并",
                "本地代码" if area.is_local else "统计局",
            ])
            if len(rows) % 100 == 0:
                progress.advance(100)
        progress.advance(len(rows) % 100)
        buffer = io.BytesIO()
        write_xlsx(buffer, [Sheet("行政区划", COLUMNS, rows)])
        progress.attach("行政区划.xlsx", buffer.getvalue())
        progress.count("区划", len(rows))
        progress.job.message = f"已导出 {len(rows)} 个区划。"
