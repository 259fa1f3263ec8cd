from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "backline.demo"
    label = "demo"
