from django.urls import path

from therapists.views import directory, profiles, roster

app_name = "therapists"

urlpatterns = [
    path("", directory.directory, name="directory"),
    path("<int:pk>/", directory.profile, name="profile"),
    path("<int:pk>/edit/", profiles.profile_edit, name="profile_edit"),
    path("me/", profiles.my_profile, name="my_profile"),
    path("clients/", profiles.clients, name="clients"),
    path("roster/invite/", roster.invite, name="invite"),
    path("roster/assign/", roster.assign, name="assign"),
    path("roster/log/", roster.change_log, name="change_log"),
    path("clinic/<int:clinic_id>/settings/", roster.clinic_settings, name="clinic_settings"),
    path("roster/<int:membership_id>/", roster.therapist_detail, name="roster_therapist"),
    path("roster/<int:membership_id>/deactivate/", roster.deactivate, name="deactivate"),
    path("roster/<int:membership_id>/reactivate/", roster.reactivate, name="reactivate"),
    path("roster/<int:membership_id>/hours/", roster.weekly_hours, name="weekly_hours"),
    path("join/<str:token>/", roster.join, name="join"),
]
