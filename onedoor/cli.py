"""The `onedoor` command: Django's management commands under one name, with OneDoor's own
(`serve`, `demo`, `bench`, `load_areas`, `grant`, and those later apps add) among them.
`onedoor migrate`, `onedoor shell` … work as with manage.py."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onedoor.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    execute_from_command_line(["onedoor", *args])


if __name__ == "__main__":
    main()
