"""The phone pages a town team uses in the field: its village list and the delivery form with signature."""

urlpatterns: list = []
