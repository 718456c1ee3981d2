"""People. A custom user from day one, so a patronymic and later fields need no migration pain."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import limits
from core.limits import LineField


class User(AbstractUser):
    middle_name = models.CharField(_("patronymic"), max_length=150, blank=True)
    position = LineField(_("position"), max_length=limits.LINE, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def set_unusable_password(self):
        super().set_unusable_password()
        self._password_changed = True

    def save(self, *args, **kwargs):
        """A new password revokes every API token of the account, whatever changed it (the
        password page, the admin, `changepassword`): a stolen token must not outlive the
        password the holder changed because of it (ASVS 3.3.3). Django keeps a newly set
        password in `_password` until the save (for the validators' password_changed hook);
        re-hashing at login with a newer hasher clears it first, and is no change."""
        changed = self._password is not None or getattr(self, "_password_changed", False)
        revoke = changed and not self._state.adding
        super().save(*args, **kwargs)
        self._password_changed = False
        if revoke:
            from .services import api_tokens_revoke

            api_tokens_revoke(user=self, actor=None, reason="password_change")

    def get_full_name(self):
        """Russian order: surname, name, patronymic."""
        parts = [self.last_name, self.first_name, self.middle_name]
        return " ".join(p for p in parts if p).strip() or self.username

    def __str__(self):
        return self.get_full_name()
