"""Benefits pages, included at /benefits/: the payroll pages (views_payroll) and the enrollment pages
(urls_enrollments, at /benefits/enrollments/)."""

from django.urls import include, path

from . import views_payroll

app_name = "benefits"

urlpatterns = [
    path("enrollments/", include("onedoor.benefits.urls_enrollments")),
    path("payroll/", views_payroll.run_list, name="run_list"),
    path("payroll/new/", views_payroll.run_new, name="run_new"),
    path("payroll/failed/", views_payroll.failed_list, name="failed_list"),
    path("payroll/payments/<int:payment_id>/reissue/", views_payroll.payment_reissue, name="payment_reissue"),
    path("payroll/<int:run_id>/", views_payroll.run_detail, name="run_detail"),
    path("payroll/<int:run_id>/compute/", views_payroll.run_compute, name="run_compute"),
    path("payroll/<int:run_id>/approve/", views_payroll.run_approve, name="run_approve"),
    path("payroll/<int:run_id>/export/", views_payroll.run_export, name="run_export"),
    path("payroll/<int:run_id>/reconcile/", views_payroll.run_reconcile, name="run_reconcile"),
    path("payroll/<int:run_id>/close/", views_payroll.run_close, name="run_close"),
    path("payroll/<int:run_id>/files/<int:file_id>/", views_payroll.bank_file_download, name="bank_file_download"),
]
