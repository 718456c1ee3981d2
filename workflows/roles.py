"""The staff roles as Django groups. Kept in code and synced after every migrate."""

from django.contrib.auth.models import Group, Permission

# Group name (shown to admins, Russian as used in the offices) → permission codenames.
ROLES = {
    "Методисты": ["view_all_applications", "check_application"],
    "Секретари совета": ["view_all_applications", "decide_application"],
    "Члены совета": ["view_all_applications"],
    "Департамент образования": ["view_all_applications", "approve_application"],
}
METHODISTS, SECRETARIES, COUNCIL_MEMBERS, DEPARTMENT = ROLES


def roles_sync(**kwargs) -> None:
    """Create the groups and give them exactly their permissions; safe to run any number of times."""
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(
            content_type__app_label="workflows", codename__in=codenames
        )
        group.permissions.set(perms)
