from django.urls import path

from backline.records import views

app_name = "records"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.edit, name="edit"),
    path("team/", views.team, name="team"),
    path("privacy/", views.privacy, name="privacy"),
]
