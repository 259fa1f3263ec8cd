from django.urls import path

from backline.wellness import views

app_name = "wellness"
urlpatterns = [
    path("", views.index, name="index"),
    path("reminders/", views.reminder, name="reminder"),
    path("export.json", views.export_json, name="export_json"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("delete/", views.delete, name="delete"),
    path("results/<int:pk>/", views.result, name="result"),
    path("<slug:name>/", views.take, name="take"),
    path("<slug:name>/trend/", views.trend, name="trend"),
]
