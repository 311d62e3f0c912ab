from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and couples"

    def ready(self) -> None:
        from accounts import receivers

        receivers.connect_roster_signals()
        receivers.connect_admin_audit()
        _admin_signs_in_through_duet()


def _admin_signs_in_through_duet() -> None:
    """Django admin's own login form knows nothing of 2FA or throttling: send it to ours."""
    from urllib.parse import urlencode

    from django.contrib import admin
    from django.shortcuts import redirect
    from django.urls import reverse

    def login(request, extra_context=None):
        from core.next_url import safe_next

        target = safe_next(request) or reverse("admin:index")
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")

    admin.site.login = login
