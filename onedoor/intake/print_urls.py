"""Printable documents of intake (PDF): receipts, 补正 notices, 公示 notices."""

from django.urls import path

from . import print_views

app_name = "intake_print"

urlpatterns = [
    path("receipts/<str:receipt_no>.pdf", print_views.receipt, name="receipt"),
    path("supplements/<int:pk>.pdf", print_views.supplement, name="supplement"),
    path("notices/<int:pk>.pdf", print_views.notice, name="notice"),
    path("villages/<str:code>/notices.pdf", print_views.village_notices, name="village_notices"),
]
