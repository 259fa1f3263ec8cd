from django.urls import path

from backline.support import views

app_name = "support"
urlpatterns = [
    path("reach-out/", views.reach_out, name="reach_out"),
    path("requests/<int:pk>/", views.request_detail, name="request"),
    path("requests/<int:pk>/cancel/", views.request_cancel, name="cancel"),
    path("requests/<int:pk>/offer/", views.offer, name="offer"),
    path("requests/<int:pk>/take/", views.take, name="take"),
    path("requests/<int:pk>/start/", views.request_start, name="start"),
    path("requests/<int:pk>/close/", views.request_close, name="close"),
    path("follow/<str:token>/", views.follow, name="follow"),
    path("follow/<str:token>/cancel/", views.follow_cancel, name="follow_cancel"),
    path("pages/<str:token>/", views.page_link, name="page"),
    path("open/", views.open_requests, name="open"),
    path("team/", views.team, name="team"),
    path("exclusions/", views.exclusions, name="exclusions"),
    path("exclusions/<int:pk>/remove/", views.exclusion_remove, name="exclusion_remove"),
]
