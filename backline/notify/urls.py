"""Notifications' pages: contact methods and rules, in-app messages, push, delivery
reports. Mounted at ``notify/``."""

from django.urls import path

from backline.notify import views
from backline.notify.inapp import views as inapp
from backline.notify.push import views as push
from backline.notify.sms import views as sms

app_name = "notify"
urlpatterns = [
    path("", views.methods, name="methods"),
    path("methods/add/<str:channel>/", views.method_add, name="method_add"),
    path("methods/<int:pk>/verify/", views.method_verify, name="method_verify"),
    path("methods/<int:pk>/send-code/", views.method_resend, name="method_resend"),
    path("methods/<int:pk>/remove/", views.method_remove, name="method_remove"),
    path("methods/<int:pk>/enabled/", views.method_enable, name="method_enable"),
    path("methods/<int:pk>/test/", views.method_test, name="method_test"),
    path("rules/add/", views.rule_add, name="rule_add"),
    path("rules/<int:pk>/remove/", views.rule_remove, name="rule_remove"),
    path("inbox/", inapp.inbox, name="inbox"),
    path("inbox/<int:pk>/read/", inapp.mark_read, name="mark_read"),
    path("inbox/read/", inapp.mark_all_read, name="mark_all_read"),
    path("inbox/unread/", inapp.unread, name="unread"),
    path("push/subscribe/", push.subscribe, name="push_subscribe"),
    path("service-worker.js", push.service_worker, name="service_worker"),
    path("sms/status/<int:pk>/<str:signature>/", sms.status_callback, name="sms_status"),
    path("sms/inbound/", sms.inbound, name="sms_inbound"),
]
