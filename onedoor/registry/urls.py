from django.urls import path

from . import views

app_name = "registry"

urlpatterns = [
    path("persons/", views.person_list, name="person_list"),
    path("persons/pick/", views.person_picker, name="person_picker"),
    path("persons/new/", views.person_create, name="person_create"),
    path("persons/<int:pk>/", views.person_detail, name="person_detail"),
    path("persons/<int:pk>/reveal-id/", views.person_reveal_id, name="person_reveal_id"),
    path("persons/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("persons/<int:pk>/self-care/", views.person_self_care, name="person_self_care"),
    path("persons/<int:pk>/death/", views.person_death, name="person_death"),
    path("persons/<int:pk>/categories/new/", views.person_category_assign, name="person_category_assign"),
    path("persons/<int:pk>/merge/", views.person_merge, name="person_merge"),
    path("persons/<int:pk>/household/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/members/add/", views.household_add_member, name="household_add_member"),
    path("households/<int:pk>/members/remove/", views.household_remove_member, name="household_remove_member"),
    path("households/<int:pk>/head/", views.household_change_head, name="household_change_head"),
    path("households/<int:pk>/categories/new/", views.household_category_assign,
         name="household_category_assign"),
    path("categories/<int:pk>/end/", views.category_end, name="category_end"),
]
