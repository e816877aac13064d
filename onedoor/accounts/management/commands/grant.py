from django.core.management.base import BaseCommand, CommandError

from onedoor.accounts.actions import assign_role
from onedoor.accounts.choices import Role
from onedoor.accounts.models import Organisation, User
from onedoor.core.exceptions import DomainError
from onedoor.geo.models import Area


class Command(BaseCommand):
    help = "给工作人员授予角色（例如部署后给 createsuperuser 建的账号授予 admin 角色）。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", choices=Role.values)
        parser.add_argument("--area", help="区域范围：12 位区划代码（含下级）")
        parser.add_argument("--organisation", help="机构范围：机构全称或简称")

    def handle(self, *args, username, role, area=None, organisation=None, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"没有用户 {username}。")
        area_obj = Area.objects.filter(code=area).first() if area else None
        if area and area_obj is None:
            raise CommandError(f"没有区划代码 {area}（先运行 onedoor load_areas）。")
        org = None
        if organisation:
            org = (Organisation.objects.filter(name=organisation).first()
                   or Organisation.objects.filter(short_name=organisation).first())
            if org is None:
                raise CommandError(f"没有机构 {organisation}。")
        try:
            assignment = assign_role(actor=None, user=user, role=role, area=area_obj, organisation=org,
                                     note="onedoor grant")
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已授予 {user.username}：{assignment}")
