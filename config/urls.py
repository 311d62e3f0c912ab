from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from django.views.static import serve

from config.api import api

urlpatterns = [
    path("", include("dashboard.urls")),
    path("", include("accounts.urls")),
    path("therapists/", include("therapists.urls")),
    path("scheduling/", include("scheduling.urls")),
    path("sessions/", include("notes.urls")),
    path("sessions/", include("messaging.urls")),
    path("sessions/", include("sessions_app.urls")),
    path("rooms/", include("signaling.urls")),
    path("intake/", include("intake.urls")),
    path("measures/", include("measures.urls")),
    path("api/", api.urls),
    # Page scripts' strings (locale/*/LC_MESSAGES/djangojs.po) in the active language.
    path("jsi18n/", JavaScriptCatalog.as_view(domain="djangojs"), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    # Uploaded media (therapist photos) are public images; production may put
    # them behind the web server instead.
    path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
]

handler400 = "accounts.views.errors.bad_request"
handler403 = "accounts.views.errors.forbidden"
handler404 = "accounts.views.errors.not_found"
handler500 = "accounts.views.errors.server_error"
