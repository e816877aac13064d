"""What the policies app tells the apps that depend on it, sent inside the changing transaction so
their own changes commit or roll back with it.

`standard_changed(standard, actor)`: a new standard (保障标准) is in force from `standard.effective_from`;
benefits recomputes the live enrollments whose amount depends on it from that month.
"""

from django.dispatch import Signal

standard_changed = Signal()
