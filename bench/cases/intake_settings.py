"""Settings for the server the intake_api bench starts: OneDoor's, with the bare JSON view added."""

from onedoor.settings import *  # noqa: F403

ROOT_URLCONF = "bench.cases.intake_urls"
