"""Campaign pages at the desk: list, create, detail and coverage dashboard, roster, sign-off sheets, summary."""

urlpatterns: list = []
