from django.urls import path

from notes import views

app_name = "notes"

urlpatterns = [
    path("notes/", views.note_list, name="notes"),
    path("notes/clinic/", views.clinic_notes, name="clinic_notes"),
    path("notes/<uuid:note_id>/", views.note_detail, name="note_detail"),
    path("notes/<uuid:note_id>/sign/", views.note_sign, name="note_sign"),
    path("notes/<uuid:note_id>/addendum/", views.note_addendum, name="note_addendum"),
    path("notes/<uuid:note_id>/emergency/", views.note_emergency, name="note_emergency"),
]
