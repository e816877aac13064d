"""What the registry tells the apps that depend on it, sent inside the changing transaction so their
own changes commit or roll back with it.

`person_died(person, actor)`: the death date is recorded; benefits end what was being paid, later
apps (campaign rosters, casework) drop the person from what is active.
"""

from django.dispatch import Signal

person_died = Signal()
