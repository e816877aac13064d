from django.urls import include, path

from . import campaign_urls, field_urls, views

app_name = "relief"

urlpatterns = [
    path("", views.stock, name="stock"),
    path("stores/<int:pk>/", views.store_detail, name="store_detail"),
    path("stores/<int:pk>/count/", views.stock_count, name="stock_count"),
    path("moves/", views.move_list, name="move_list"),
    path("moves/receive/", views.receive, name="receive"),
    path("moves/transfer/", views.transfer, name="transfer"),
    path("moves/issue/", views.issue, name="issue"),
    path("moves/return/", views.return_goods, name="return_goods"),
    path("moves/adjust/", views.adjust, name="adjust"),
    path("alerts/", views.alerts, name="alerts"),
    path("call-offs/", views.call_off_list, name="call_off_list"),
    path("call-offs/new/", views.call_off_create, name="call_off_create"),
    path("call-offs/<int:pk>/", views.call_off_detail, name="call_off_detail"),
    path("call-offs/<int:pk>/deliver/", views.call_off_deliver, name="call_off_deliver"),
    path("call-offs/<int:pk>/cancel/", views.call_off_cancel, name="call_off_cancel"),
    path("export/stock.xlsx", views.export_stock, name="export_stock"),
    path("export/moves.xlsx", views.export_moves, name="export_moves"),
    path("campaigns/", include(campaign_urls.urlpatterns)),
    path("field/", include(field_urls.urlpatterns)),
]
