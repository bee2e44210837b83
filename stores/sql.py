"""
Plain SQL for the reads every page makes, written from the models' own tables and columns.

Building a query with the ORM can cost more than running it; the home page's reads are written here once per
shape instead. Values are always parameters, and each column's value goes through the database backend's and
the field's own converters, so a row reads exactly as the ORM would give it.
"""

from functools import cache

from django.db import connection


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def table(model) -> str:
    return quote(model._meta.db_table)


def column(model, field_name: str, *, alias: str | None = None) -> str:
    """Return the field's column, qualified by the model's table or by `alias`."""
    return f"{quote(alias) if alias else table(model)}.{quote(model._meta.get_field(field_name).column)}"


@cache
def converter(model, field_name: str):
    """Return a function that turns a raw value of the field's column into the value the ORM would give."""
    field = model._meta.get_field(field_name)
    expression = field.cached_col
    converters = [*connection.ops.get_db_converters(expression), *field.get_db_converters(connection)]

    def convert(value):
        for function in converters:
            value = function(value, expression, connection)
        return value

    return convert
