"""Dashboards per role (leader, dispatcher, window, storekeeper, finance)."""

urlpatterns: list = []
