from django.urls import path

from backline.support import coordinate, handoff, views

app_name = "support"
urlpatterns = [
    path("reach-out/", views.reach_out, name="reach_out"),
    path("requests/<str:ref>/", views.request_detail, name="request"),
    path("requests/<str:ref>/cancel/", views.request_cancel, name="cancel"),
    path("requests/<str:ref>/contact/", views.request_contact, name="contact"),
    path("requests/<str:ref>/widen/", views.request_widen, name="widen"),
    path("requests/<str:ref>/wait/", views.request_wait, name="wait"),
    path("requests/<str:ref>/offer/", views.offer, name="offer"),
    path("requests/<str:ref>/take/", views.take, name="take"),
    path("requests/<str:ref>/start/", views.request_start, name="start"),
    path("requests/<str:ref>/close/", views.request_close, name="close"),
    path("requests/<str:ref>/hand-off/<int:pk>/", handoff.to_requester, name="hand_off"),
    path("hand-off/<int:pk>/", handoff.to_me, name="hand_off_to_me"),
    path("follow/<str:token>/", views.follow, name="follow"),
    path("follow/<str:token>/cancel/", views.follow_cancel, name="follow_cancel"),
    path("follow/<str:token>/contact/", views.follow_contact, name="follow_contact"),
    path("follow/<str:token>/widen/", views.follow_widen, name="follow_widen"),
    path("follow/<str:token>/wait/", views.follow_wait, name="follow_wait"),
    path("pages/<str:token>/", views.page_link, name="page"),
    path("pages/<str:token>/take/<str:key>/", views.page_take, name="page_take"),
    path("requests/<str:ref>/coordinate/", coordinate.coordinate, name="coordinate"),
    path("requests/<str:ref>/page-again/", coordinate.page_again, name="page_again"),
    path("alerts/<str:token>/", coordinate.alert, name="alert"),
    path("open/", views.open_requests, name="open"),
    path("team/", views.team, name="team"),
    path("exclusions/", views.exclusions, name="exclusions"),
    path("exclusions/<int:pk>/remove/", views.exclusion_remove, name="exclusion_remove"),
]
