from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    """The definitions every case is filed under: programmes, the organisations applying, and
    the staff who serve each programme."""

    name = "programmes"
    verbose_name = _("Programmes")

    def ready(self):
        from .models import ProgrammeStaff
        from .services import staff_groups_sync

        def follow(sender, instance, **kwargs):
            staff_groups_sync(user_id=instance.user_id, group_id=instance.group_id)

        post_save.connect(
            follow, sender=ProgrammeStaff, dispatch_uid="programmes.staff_saved", weak=False
        )
        post_delete.connect(
            follow, sender=ProgrammeStaff, dispatch_uid="programmes.staff_deleted", weak=False
        )
