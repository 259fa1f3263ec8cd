"""Backline's URLs. Every view states its access rule (see ``privacy.access``)."""

from django.urls import include, path

from backline.roster import views as roster_views
from backline.web import app, dev_mail, language, views
from backline.web.allauth_rules import allauth_patterns

urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.home, name="home"),
    path("manifest.webmanifest", app.manifest, name="manifest"),
    path("offline/", app.offline, name="offline"),
    path("support/", include("backline.support.urls")),
    path("oncall/", include("backline.oncall.urls")),
    path("care/", include("backline.care.urls")),
    path("checkins/", include("backline.checkins.urls")),
    path("directory/", include("backline.directory.urls")),
    path("policies/", include("backline.support.policy_urls")),
    path("notify/", include("backline.notify.urls")),
    path("records/", include("backline.records.urls")),
    path("sessions/", include("backline.meetings.urls")),
    path("self-checks/", include("backline.wellness.urls")),
    path("account/security/", views.security_setup, name="security_setup"),
    path(
        "account/security/forget-this-browser/",
        views.forget_this_browser,
        name="forget_this_browser",
    ),
    path("privacy/who-has-seen-my-data/", views.who_has_seen_my_data, name="who_has_seen_my_data"),
    path("manage/", include("backline.roster.urls")),
    path("team/roster-changes/", roster_views.roster_changes, name="roster_changes"),
    path("invitation/<str:token>/", roster_views.accept_invitation, name="accept_invitation"),
    path("dev/mail/", dev_mail.mailbox, name="dev_mail"),
    path("language/", language.choose_language, name="set_language"),
    path("accounts/", include(allauth_patterns())),
]

handler500 = "backline.web.errors.server_error"
