from django.urls import path

from . import views

app_name = "stores"

urlpatterns = [
    path("", views.home, name="home"),
    path("pre-installation-tasks/", views.pre_installation, name="pre_installation"),
    path("stores/add/", views.store_add, name="add"),
    path("stores/<int:pk>/", views.store_detail, name="detail"),
    path("stores/<int:pk>/edit/", views.store_edit, name="edit"),
    path("stores/<int:pk>/activate/", views.store_activate, name="activate"),
    path("stores/<int:pk>/deactivate/", views.store_deactivate, name="deactivate"),
    path("stores/<int:pk>/delete/", views.store_delete, name="delete"),
]
