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

    def get_full_name(self):
        """Russian order: surname, name, patronymic."""
        parts = [self.last_name, self.first_name, self.middle_name]
        return " ".join(p for p in parts if p).strip() or self.username

    def __str__(self):
        return self.get_full_name()
