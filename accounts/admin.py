from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from core.admin import AuditedAdmin

from .models import User


@admin.register(User)
class DocketUserAdmin(AuditedAdmin, UserAdmin):
    """People and their roles (groups): every change audited."""

    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Position"), {"fields": ("middle_name", "position")}),
    )
