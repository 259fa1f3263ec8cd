from django.urls import path

from backline.support import policy_views as views

app_name = "policies"
urlpatterns = [
    path("", views.policy_list, name="list"),
    path("new/", views.policy_new, name="new"),
    path("coverage/", views.coverage_page, name="coverage"),
    path("<int:pk>/", views.policy_detail, name="detail"),
    path("<int:pk>/delete/", views.policy_delete, name="delete"),
    path("<int:pk>/default/", views.policy_default, name="default"),
    path("<int:pk>/steps/", views.step_add, name="step_add"),
    path("<int:pk>/steps/<int:step_pk>/", views.step_edit, name="step_edit"),
    path("<int:pk>/steps/<int:step_pk>/remove/", views.step_remove, name="step_remove"),
    path("<int:pk>/steps/<int:step_pk>/move/", views.step_move, name="step_move"),
    path("<int:pk>/steps/<int:step_pk>/targets/", views.target_add, name="target_add"),
    path(
        "<int:pk>/steps/<int:step_pk>/targets/<int:target_pk>/remove/",
        views.target_remove,
        name="target_remove",
    ),
]
