from django.urls import path

from backline.directory import views

app_name = "directory"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("new/", views.resource_new, name="resource_new"),
    path("import/", views.import_directory, name="import"),
    path("export/", views.export_directory, name="export"),
    path("<int:pk>/", views.resource, name="resource"),
    path("<int:pk>/card/", views.card, name="card"),
    path("<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    path("<int:pk>/verify/", views.resource_verify, name="resource_verify"),
    path("<int:pk>/delete/", views.resource_delete, name="resource_delete"),
]
