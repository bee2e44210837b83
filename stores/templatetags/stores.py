from django import template

register = template.Library()


@register.filter
def join_if_list(value):
    """Show a list as comma-separated text, anything else as it is."""
    return ", ".join(map(str, value)) if isinstance(value, list | tuple) else value
