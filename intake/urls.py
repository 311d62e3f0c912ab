from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("", views.home, name="home"),
    path("documents/<int:version_id>/sign/", views.sign, name="sign"),
    path("signed/<int:signature_id>.pdf", views.signed_copy, name="signed_copy"),
    path("signed/all.pdf", views.signed_copies, name="signed_copies"),
    path("safety/", views.safety, name="safety"),
    path("sessions/<str:room_id>/where/", views.where, name="where"),
    path("sessions/<str:room_id>/panel/", views.room_panel, name="room_panel"),
    path("clinic/", views.clinic_documents, name="clinic_documents"),
    path("clinic/<int:clinic_id>/<str:kind>/", views.document_edit, name="document_edit"),
    path("versions/<int:version_id>/delete/", views.version_delete, name="version_delete"),
    path("couples/<int:couple_id>/", views.couple_intake, name="couple"),
]
