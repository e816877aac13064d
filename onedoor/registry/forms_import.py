"""Forms of the import and export pages. The upload form reads the file's header at once, so a file
without the needed columns is refused on the form, not half-way through a job."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from onedoor.core.tabular import CSV_SUFFIXES, SPREADSHEET_SUFFIXES, TableError
from onedoor.geo.choices import TOWN_LEVELS, VILLAGE_LEVELS
from onedoor.geo.models import Area

from .importer import check_file_headers
from .models_import import ImportKind
from .selectors import may_unmask


def _areas_for(user):
    """Areas the user may import into or export: the district, towns and villages they can see."""
    return (Area.objects.visible_to(user).current()
            .filter(level__in=("district", *TOWN_LEVELS, *VILLAGE_LEVELS)).order_by("code"))


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        indent = "" if obj.level == "district" else ("　" if obj.level in TOWN_LEVELS else "　　")
        return f"{indent}{obj.name}（{obj.code}）"


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入内容"), choices=ImportKind.choices, initial=ImportKind.PERSONS, required=False,
                             help_text=_("人员类别：为已登记的人员导入类别期间（身份证号、人员类别、起始日期、终止日期）。"))
    file = forms.FileField(label=_("文件（xlsx 或 csv）"),
                           help_text=_("CSV 可为 UTF-8（含或不含 BOM）或 GBK/GB18030 编码。"))
    area = AreaChoiceField(label=_("导入范围"), queryset=Area.objects.none(),
                           help_text=_("人员须居住在该范围内；“村(社区)”列按名称在该范围内查找。"))
    strict = forms.BooleanField(label=_("严格模式：任何一行有错误时整个文件都不导入"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        areas = _areas_for(user)
        self.fields["area"].queryset = areas
        grant_areas = [g.area_code for g in user.active_grants() if g.area_code]
        initial = areas.filter(code__in=grant_areas).first()
        if initial is not None:
            self.fields["area"].initial = initial.pk

    def clean_kind(self) -> str:
        return self.cleaned_data.get("kind") or ImportKind.PERSONS

    def clean(self):
        cleaned = super().clean()
        upload, area = cleaned.get("file"), cleaned.get("area")
        if upload is None:
            return cleaned
        suffix = Path(upload.name).suffix.lower()
        if suffix not in SPREADSHEET_SUFFIXES | CSV_SUFFIXES:
            self.add_error("file", _("不支持的文件类型，请上传 xlsx 或 csv 文件。"))
            return cleaned
        try:
            self.columns = check_file_headers(upload, upload.name, area=area,
                                              kind=cleaned.get("kind", ImportKind.PERSONS))
        except TableError as exc:
            self.add_error("file", exc.message)
        finally:
            upload.seek(0)
        return cleaned


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("new", _("作为新人员登记")), ("skip", _("不导入"))])


class ExportForm(forms.Form):
    area = AreaChoiceField(label=_("范围"), queryset=Area.objects.none(), required=False,
                           empty_label=_("我可查看的全部"))
    unmask = forms.BooleanField(label=_("导出完整身份证号码（将记入敏感信息访问记录）"), required=False)
    reason = forms.CharField(label=_("理由"), max_length=200, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = _areas_for(user)
        if not may_unmask(user):
            del self.fields["unmask"]
            del self.fields["reason"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("unmask") and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("导出完整身份证号码必须说明理由。"))
        return cleaned
