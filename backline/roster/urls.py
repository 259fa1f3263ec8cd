from django.urls import path

from backline.roster import views

app_name = "roster"
urlpatterns = [
    path("agencies/", views.agencies, name="agencies"),
    path("agencies/new/", views.agency_new, name="agency_new"),
    path("agencies/<int:pk>/", views.agency_edit, name="agency_edit"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person, name="person"),
    path("people/<int:pk>/roles/", views.role_add, name="role_add"),
    path(
        "people/<int:pk>/roles/<int:membership_pk>/remove/", views.role_remove, name="role_remove"
    ),
    path("people/<int:pk>/active/", views.person_active, name="person_active"),
    path("invitations/", views.invitation_list, name="invitations"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
]
