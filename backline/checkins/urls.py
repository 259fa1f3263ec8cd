from django.urls import path

from backline.checkins import views

app_name = "checkins"
urlpatterns = [
    path("", views.plans, name="plans"),
    path("new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/delete/", views.plan_delete, name="plan_delete"),
    path("nudges/<str:token>/", views.nudge, name="nudge"),
    path("nudges/<str:token>/good/", views.nudge_good, name="nudge_good"),
    path("nudges/<str:token>/good/<str:key>/", views.nudge_good_tap, name="nudge_good_tap"),
    path("nudges/<str:token>/talk/", views.nudge_talk, name="nudge_talk"),
    path("nudges/<str:token>/later/", views.nudge_later, name="nudge_later"),
    path("nudges/<str:token>/opt-out/", views.nudge_opt_out, name="nudge_opt_out"),
    path("settings/", views.settings, name="settings"),
    path("settings/opt-out/", views.opt_out_all, name="opt_out_all"),
    path("settings/opt-in/", views.opt_in_all, name="opt_in_all"),
    path("settings/stop/", views.opt_out_peer, name="opt_out_peer"),
    path("opt-outs/<int:pk>/remove/", views.opt_out_remove, name="opt_out_remove"),
    path("handed-over/<int:pk>/continue/", views.handed_over_continue, name="handed_over_continue"),
    path("handed-over/<int:pk>/end/", views.handed_over_end, name="handed_over_end"),
    path("team/", views.team, name="team"),
]
