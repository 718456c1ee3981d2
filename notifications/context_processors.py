from django.utils.functional import SimpleLazyObject

from . import selectors


def unread(request):
    """`notifications_unread` for the bell in the header. Lazy: counted only when a template
    shows it, so admin pages and redirects pay nothing."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "notifications_unread": SimpleLazyObject(lambda: selectors.notifications_unread_count(user))
    }
