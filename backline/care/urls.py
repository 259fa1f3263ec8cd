from django.urls import path

from backline.care import views

app_name = "care"
urlpatterns = [
    path("my-load/", views.mine, name="mine"),
    path("load-balance/", views.balance, name="balance"),
]
