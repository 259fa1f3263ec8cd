from django.urls import path

from backline.oncall import views

app_name = "oncall"
urlpatterns = [
    path("", views.home, name="home"),
    path("availability/", views.availability, name="availability"),
    path("quiet-hours/", views.quiet_hours, name="quiet_hours"),
    path("offers/new/", views.offer_new, name="offer_new"),
    path("offers/<int:pk>/take/", views.offer_take, name="offer_take"),
    path("offers/<int:pk>/withdraw/", views.offer_withdraw, name="offer_withdraw"),
    path("offers/<int:pk>/assign/", views.offer_assign, name="offer_assign"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("rotations/", views.rotations, name="rotations"),
    path("rotations/new/", views.rotation_new, name="rotation_new"),
    path("rotations/<int:pk>/", views.rotation, name="rotation"),
    path("rotations/<int:pk>/delete/", views.rotation_delete, name="rotation_delete"),
    path("rotations/<int:pk>/members/", views.member_add, name="member_add"),
    path(
        "rotations/<int:pk>/members/<int:member_pk>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("rotations/<int:pk>/members/<int:member_pk>/move/", views.member_move, name="member_move"),
    path("schedules/", views.schedules, name="schedules"),
    path("schedules/new/", views.schedule_new, name="schedule_new"),
    path("schedules/<int:pk>/", views.schedule, name="schedule"),
    path("schedules/<int:pk>/delete/", views.schedule_delete, name="schedule_delete"),
    path("schedules/<int:pk>/windows/", views.window_add, name="window_add"),
    path(
        "schedules/<int:pk>/windows/<int:window_pk>/remove/",
        views.window_remove,
        name="window_remove",
    ),
    path("overrides/", views.overrides, name="overrides"),
    path("overrides/<int:pk>/delete/", views.override_delete, name="override_delete"),
]
