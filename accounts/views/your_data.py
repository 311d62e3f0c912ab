"""Your data: export and deletion."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.account_deletion import account_delete, retained_summary
from accounts.data_export import user_data_zip
from core.audit import audit_record


class DeleteForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    # Translators: keep the word DELETE as it is: people type exactly that word.
    confirm = forms.CharField(label=gettext_lazy("Type DELETE to confirm"), max_length=10)

    def __init__(self, user, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your current password."))
        return password

    def clean_confirm(self) -> str:
        if self.cleaned_data["confirm"].strip() != "DELETE":
            # Translators: keep the word DELETE as it is: people type exactly that word.
            raise forms.ValidationError(_("Type DELETE in capitals to confirm."))
        return "DELETE"


@login_required
def your_data(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/your_data.html",
        {"form": DeleteForm(request.user), "retained": retained_summary(request.user)},
    )


@login_required
@require_POST
def export_download(request: HttpRequest) -> HttpResponse:
    user = request.user
    audit_record(actor=user, action="data.export", obj=user, request=request)
    payload = user_data_zip(user, now=timezone.now())
    stamp = timezone.now().strftime("%Y%m%d")
    response = HttpResponse(payload, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="duet-data-{stamp}.zip"'
    return response


@login_required
def account_delete_view(request: HttpRequest) -> HttpResponse:
    form = DeleteForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        account_delete(user=request.user, request=request, now=timezone.now())
        logout(request)
        messages.success(request, _("Your account is deleted. Thank you for trusting Duet."))
        return redirect("accounts:login")
    return render(
        request,
        "accounts/your_data.html",
        {"form": form, "retained": retained_summary(request.user)},
        status=400 if request.method == "POST" else 200,
    )
