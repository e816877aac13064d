"""What the registry tells the apps that depend on it, sent inside the changing transaction so their
own changes commit or roll back with it.

`person_died(person, actor)`: the death date is recorded; benefits end what was being paid, later
apps (campaign rosters, casework) drop the person from what is active.

`household_changed(household, actor, on, change)`: a member joined or left, the head changed, or a
member's monthly income was corrected, on the date `on` (`change` is "member_joined", "member_left",
"head_changed" or "income_changed"); benefits recomputes the
household's live enrollments. A death closes memberships too but is announced by `person_died` only.
"""

from django.dispatch import Signal

person_died = Signal()
household_changed = Signal()
