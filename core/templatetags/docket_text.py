from django import template

from core.text import quoted as _quoted

register = template.Library()


@register.filter
def quoted(value) -> str:
    """{{ program_title|quoted }}: «…» unless the name opens with its own quotes."""
    return _quoted(value)
