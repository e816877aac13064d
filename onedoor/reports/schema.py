"""The annual report's stable JSON form (`AnnualReport.as_dict`, the API and the CLI all give this).

Version 1. Money is a string with two decimals ("93550000.00"), counts are integers, rates and averages are
strings with one decimal or null, dates are ISO. Keys never disappear: a section with no records has zeros
and empty lists; charity and social work are `{"available": false, "message": "暂无数据…"}` until their
modules exist (no data is not zero). The test tests/reports/test_api.py compares the keys.
"""

from __future__ import annotations

from typing import Any

SCHEMA_VERSION = 1


def _num(value: Any) -> str | None:
    return None if value is None else str(value)


def _rows(rows) -> list[dict[str, Any]]:
    return [row.as_dict() for row in rows]


def report_dict(report) -> dict[str, Any]:
    s, lo, em, ca, re, ow = (report.subsidies, report.loans, report.employment, report.campaigns, report.reserves,
                             report.one_window)
    return {
        "schema_version": SCHEMA_VERSION,
        "period": {"start": report.start.isoformat(), "end": report.end.isoformat()},
        "area": {"code": report.area_code, "name": report.area_name},
        "subsidies": {"amount": str(s.amount), "person_times": s.times,
                      "by_policy": _rows(s.by_policy), "by_category": _rows(s.by_category)},
        "loans": {"people": lo.people, "loans": lo.loans, "principal": str(lo.principal),
                  "subsidy_amount": str(lo.subsidy_amount), "subsidy_payments": lo.subsidy_times},
        "employment": {"approved": em.decided, "by_policy": _rows(em.by_policy)},
        "charity": {"available": report.charity.available, "message": report.charity.message},
        "social_work": {"available": report.social_work.available, "message": report.social_work.message},
        "campaigns": {
            "issued_total": ca.issued_total, "issued": _rows(ca.issued),
            "coverage": [{"campaign_id": c.campaign_id, "name": c.name, "starts_on": c.starts_on.isoformat(),
                          "ends_on": c.ends_on.isoformat(), "targets": c.targets, "delivered": c.delivered,
                          "remaining": c.remaining, "closed_otherwise": c.closed_otherwise,
                          "percent": _num(c.percent), "all_covered": c.all_covered, "statement": c.statement,
                          "by_category": _rows(c.by_category)} for c in ca.campaigns],
        },
        "reserves": {"as_of": re.as_of.isoformat(), "on_hand": _rows(re.on_hand), "suppliers": _rows(re.suppliers),
                     "total": _rows(re.total)},
        "one_window": {"applications": ow.received, "by_channel": _rows(ow.by_channel), "tasks": ow.tasks,
                       "by_department": _rows(ow.by_department), "decided": ow.decided,
                       "decided_on_time": ow.decided_on_time, "on_time_rate": _num(ow.on_time_rate),
                       "average_working_days": _num(ow.average_working_days), "departments": ow.departments,
                       "policies": ow.policies},
    }
