"""Sections of the person page (一人一档) that other apps add without editing the registry.

An app that keeps something about a person (applications, payments, deliveries, visits) registers a
section from its `AppConfig.ready()`:

    from onedoor.registry.sections import register_person_section
    register_person_section(_("申请记录"), "intake/person_section.html", applications_for_person, order=20)

`context(request, person)` reads through `visible_to(request.user)` and returns a dict (the template sees
it as `ctx`, next to `person`) or None to leave the section out. Keep it to one or two queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

SectionContext = Callable[[Any, Any], dict | None]


@dataclass(frozen=True)
class PersonSection:
    title: str | Promise
    template: Any  # a template name, or a compiled template (anything `{% include %}` accepts)
    context: SectionContext
    order: int = 100


_sections: list[PersonSection] = []


def register_person_section(title: str | Promise, template: Any, context: SectionContext, order: int = 100
                            ) -> PersonSection:
    """Add a section; registering the same template again replaces the earlier one (ready() may run twice)."""
    section = PersonSection(title, template, context, order)
    _sections[:] = [s for s in _sections if s.template != template]
    _sections.append(section)
    return section


def unregister_person_section(section: PersonSection) -> None:
    _sections[:] = [s for s in _sections if s is not section]


def person_sections() -> list[PersonSection]:
    return sorted(_sections, key=lambda s: s.order)


def sections_for(request: Any, person: Any) -> list[dict]:
    """The sections to show on one person's page, each with its context (hidden when it returns None)."""
    shown = []
    for section in person_sections():
        context = section.context(request, person)
        if context is not None:
            shown.append({"title": section.title, "template": section.template, "context": context})
    return shown
