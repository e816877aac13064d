from django.urls import path

from . import views_application, views_dispatch, views_tasks, views_window

app_name = "intake"

urlpatterns = [
    path("window/", views_window.window, name="window"),
    path("window/documents/", views_window.window_documents, name="window_documents"),
    path("window/persons/<int:person_pk>/apply/", views_window.application_new, name="application_new"),
    path("today/", views_window.today, name="today"),
    path("applications/<int:pk>/", views_application.application_detail, name="application_detail"),
    path("applications/<int:pk>/documents/", views_application.application_add_documents,
         name="application_add_documents"),
    path("documents/<int:pk>/", views_application.document_download, name="document_download"),
    path("tasks/mine/", views_tasks.my_tasks, name="my_tasks"),
    path("tasks/<int:pk>/", views_tasks.task_detail, name="task_detail"),
    path("tasks/<int:pk>/do/<slug:action>/", views_tasks.task_action, name="task_action"),
    path("dispatch/", views_dispatch.dispatch, name="dispatch"),
]
