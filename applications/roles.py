"""The staff roles as Django groups. Kept in code and synced after every migrate."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

# Group name (shown to admins, Russian as used in the offices) → permission codenames
# ("app_label.codename" for permissions of other apps; plain names are workflows').
ROLES = {
    "Методисты": ["view_all_applications", "check_application", "documents.view_journal"],
    "Секретари совета": [
        "view_all_applications",
        "decide_application",
        "documents.view_journal",
    ],
    # Members see their council's programme through their seat (selectors.visible_to).
    "Члены совета": [],
    "Департамент образования": [
        "view_all_applications",
        "approve_application",
        "documents.view_journal",
    ],
}
METHODISTS, SECRETARIES, COUNCIL_MEMBERS, DEPARTMENT = ROLES


def roles_sync(**kwargs) -> None:
    """Create the groups and give them exactly their permissions; safe to run any number of times."""
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        query = Q(pk__in=[])
        for name in codenames:
            app_label, _dot, codename = name.rpartition(".")
            query |= Q(content_type__app_label=app_label or "workflows", codename=codename)
        group.permissions.set(Permission.objects.filter(query))
