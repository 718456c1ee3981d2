from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedAdmin, PersonalDataAdmin

from .models import User


@admin.register(User)
class DocketUserAdmin(PersonalDataAdmin, AuditedAdmin, UserAdmin):
    """People and their roles (groups): every change audited, every opening logged."""

    personal_fields = ("first_name", "last_name", "middle_name", "email", "position")

    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Position"), {"fields": ("middle_name", "position")}),
    )
