from django.urls import path

from backline.oncall import break_views, rotation_views, views

app_name = "oncall"
urlpatterns = [
    path("", views.home, name="home"),
    path("availability/", views.availability, name="availability"),
    path("quiet-hours/", views.quiet_hours, name="quiet_hours"),
    path("break/", break_views.take_break, name="break"),
    path("break/end/", break_views.end_break, name="break_end"),
    path("offers/new/", views.offer_new, name="offer_new"),
    path("offers/<int:pk>/take/", views.offer_take, name="offer_take"),
    path("offers/<int:pk>/withdraw/", views.offer_withdraw, name="offer_withdraw"),
    path("offers/<int:pk>/assign/", views.offer_assign, name="offer_assign"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("rotations/", rotation_views.rotations, name="rotations"),
    path("rotations/new/", rotation_views.rotation_new, name="rotation_new"),
    path("rotations/<int:pk>/", rotation_views.rotation, name="rotation"),
    path("rotations/<int:pk>/delete/", rotation_views.rotation_delete, name="rotation_delete"),
    path("rotations/<int:pk>/members/", rotation_views.member_add, name="member_add"),
    path(
        "rotations/<int:pk>/members/<int:member_pk>/remove/",
        rotation_views.member_remove,
        name="member_remove",
    ),
    path(
        "rotations/<int:pk>/members/<int:member_pk>/move/",
        rotation_views.member_move,
        name="member_move",
    ),
    path("schedules/", rotation_views.schedules, name="schedules"),
    path("schedules/new/", rotation_views.schedule_new, name="schedule_new"),
    path("schedules/<int:pk>/", rotation_views.schedule, name="schedule"),
    path("schedules/<int:pk>/delete/", rotation_views.schedule_delete, name="schedule_delete"),
    path("schedules/<int:pk>/windows/", rotation_views.window_add, name="window_add"),
    path(
        "schedules/<int:pk>/windows/<int:window_pk>/remove/",
        rotation_views.window_remove,
        name="window_remove",
    ),
    path("overrides/", rotation_views.overrides, name="overrides"),
    path("overrides/<int:pk>/delete/", rotation_views.override_delete, name="override_delete"),
]
