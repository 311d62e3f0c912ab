from django.urls import path

from dashboard import audit_log, overview, views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("therapists/overview/", overview.overview, name="overview"),
    path("account/audit/", audit_log.audit_log, name="audit_log"),
]
