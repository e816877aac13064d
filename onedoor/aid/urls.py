from django.urls import path

from . import views

app_name = "aid"

urlpatterns = [
    path("funds/", views.fund_list, name="fund_list"),
    path("funds/<int:pk>/", views.fund_detail, name="fund_detail"),
    path("payments/", views.payment_list, name="payment_list"),
    path("payments/<int:pk>/disburse/", views.payment_disburse, name="payment_disburse"),
    path("payments/<int:pk>/return/", views.payment_return, name="payment_return"),
    path("loans/", views.loan_list, name="loan_list"),
    path("loans/new/", views.loan_register, name="loan_register"),
    path("loans/overdue/", views.loan_mark_overdue, name="loan_mark_overdue"),
    path("loans/subsidies/", views.subsidy_pay, name="subsidy_pay"),
    path("loans/<int:pk>/", views.loan_detail, name="loan_detail"),
    path("loans/<int:pk>/repay/", views.loan_repay, name="loan_repay"),
]
