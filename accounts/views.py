"""The password page every signed-in person has (ASVS 2.1.5, 2.1.6: the current password is
asked before the new one)."""

from django.contrib.auth import views as auth_views
from django.db import transaction
from django.urls import reverse_lazy

from .services import user_password_change_record


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's form and rules (AUTH_PASSWORD_VALIDATORS). Saving the new password revokes the
    person's API tokens and ends their other sessions (User.save, Django's session hash);
    this session stays signed in (update_session_auth_hash in the parent view)."""

    template_name = "registration/password_change_form.html"
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            user_password_change_record(user=form.user, actor=self.request.user, channel="page")
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "registration/password_change_done.html"
