"""`onedoor load_benefit_rules`: create the default amount rule (BenefitRule) of each monthly-cash policy
of the shipped catalogue that has none. Repeatable: existing rules, edited or not, stay as they are.
Run it after `onedoor load_catalogue`; policies not loaded yet are listed and skipped."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from onedoor.benefits.rules import load_benefit_rules


class Command(BaseCommand):
    help = "为政策目录中按月发放的政策建立默认的待遇计算规则（已有的规则不改动）。可重复运行。"

    def handle(self, *args, **options):
        self.stdout.write(load_benefit_rules(actor=None).summary())
