from django.urls import path

from measures import views

app_name = "measures"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("couples/<int:couple_id>/", views.couple, name="couple"),
    path("clinics/<int:clinic_id>/plan/", views.plan, name="plan"),
    path("clinics/<int:clinic_id>/figures/", views.figures, name="figures"),
]
