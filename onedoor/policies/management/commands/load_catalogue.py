"""`onedoor load_catalogue [--file PATH]`: load (or update) the policy catalogue, the departments it
names, a district-wide responsibility line for each new policy and the initial standards.
Repeatable: policies are upserted by code, nothing is deleted, standards and lines already there stay.
Exit status: 0 loaded; 2 the file is missing or has an error (nothing is written then)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from onedoor.core.exceptions import DomainError
from onedoor.policies.actions import CATALOGUE_FILE, load_catalogue


class Command(BaseCommand):
    help = "载入（或更新）政策目录：政策、部门、责任清单初始条目和初始保障标准。可重复运行，不删除任何政策。"

    def add_arguments(self, parser):
        parser.add_argument("--file", default=None, help=f"政策目录 YAML 文件（默认：{CATALOGUE_FILE}）")

    def handle(self, *args, file: str | None = None, **options):
        try:
            result = load_catalogue(actor=None, path=file)
        except DomainError as exc:
            raise CommandError(exc.message, returncode=2) from None
        self.stdout.write(result.summary())
