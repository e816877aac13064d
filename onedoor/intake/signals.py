"""The hand-over from intake to delivery. Benefits, relief and the other delivery apps connect a
receiver to `task_approved`; it is sent inside the approving transaction, so what a receiver creates
(an enrollment, a one-off payment, a service plan item) commits or rolls back with the decision.

Receivers get `task` (with `decided_amount`, `decided_goods`, `policy.kind`, `act_first`) and `actor`.
"""

from django.dispatch import Signal

task_approved = Signal()
