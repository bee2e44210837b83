"""The sandbox plays Amazon: it reaches nothing of the application, and the application nothing of it."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The apps each app must never reach, from its Python modules or its templates.
FORBIDDEN = {
    "amazon_sandbox": {"stores", "sellerauth"},
    "stores": {"amazon_sandbox"},
    "sellerauth": {"amazon_sandbox"},
}
# Calls whose first argument names a module or an app: importlib, Django's app registry, URL includes and
# lazy model relations ("stores.AmazonStore").
NAMING_CALLS = {"import_module", "__import__", "get_model", "get_app_config", "include"}
RELATION_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField"}
MIGRATION_NAME = re.compile(r"\d{4}_\w+|__first__|__latest__")
# {% url "app:name" %}, {% include "app/…" %}, {% extends "app/…" %}
TEMPLATE_REFERENCE = re.compile(r"""{%\s*(?:url|include|extends)\s+["']([A-Za-z_]+)[:/]""")


def _called_name(node: ast.Call) -> str:
    function = node.func
    return function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")


def _first_string(node: ast.Call) -> str | None:
    first = node.args[0] if node.args else None
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def modules_named(source: str) -> set[str]:
    """Return the top-level packages a module imports, or names as a module, an app or a migration."""
    named = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            named |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            named.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and _called_name(node) in NAMING_CALLS | RELATION_FIELDS:
            named |= {value.split(".")[0] for value in [_first_string(node)] if value}
        elif isinstance(node, ast.Tuple) and len(node.elts) == 2:
            # A migration dependency: ("app_label", "0001_initial").
            label, name = (elt.value if isinstance(elt, ast.Constant) else None for elt in node.elts)
            if isinstance(label, str) and isinstance(name, str) and MIGRATION_NAME.fullmatch(name):
                named.add(label)
    return named


def templates_named(source: str) -> set[str]:
    """Return the apps a template names in its url, include and extends tags."""
    return set(TEMPLATE_REFERENCE.findall(source))


def _python_files(app: str) -> list[Path]:
    return sorted(path for path in (ROOT / app).rglob("*.py") if "__pycache__" not in path.parts)


def _template_files(app: str) -> list[Path]:
    return sorted([*(ROOT / app / "templates").rglob("*.html"), *(ROOT / "templates" / app).rglob("*.html")])


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_no_module_reaches_across_the_sandbox_boundary(app):
    files = _python_files(app)
    offending = {
        str(path.relative_to(ROOT)): sorted(named & FORBIDDEN[app])
        for path in files
        if (named := modules_named(path.read_text()))
        if named & FORBIDDEN[app]
    }

    assert len(files) > 5, "the scan found the app's modules"
    assert offending == {}


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_no_template_reaches_across_the_sandbox_boundary(app):
    files = _template_files(app)
    offending = {
        str(path.relative_to(ROOT)): sorted(named & FORBIDDEN[app])
        for path in files
        if (named := templates_named(path.read_text()))
        if named & FORBIDDEN[app]
    }

    assert files, "the scan found the app's templates"
    assert offending == {}


@pytest.mark.parametrize(
    ("source", "app"),
    [
        ("from stores.marketplaces import MARKETPLACES, REGIONS", "stores"),
        ("from stores import models", "stores"),
        ("import sellerauth.models", "sellerauth"),
        ("import os, stores as s", "stores"),
        ("def f():\n    from sellerauth.services import connect_start", "sellerauth"),
        ("apps.get_model('stores', 'AmazonStore')", "stores"),
        ("apps.get_model('stores.AmazonStore')", "stores"),
        ("get_app_config('sellerauth')", "sellerauth"),
        ("importlib.import_module('sellerauth.services')", "sellerauth"),
        ("__import__('stores.selectors')", "stores"),
        ("path('amazon/', include('sellerauth.urls'))", "sellerauth"),
        ("store = models.ForeignKey('stores.AmazonStore', on_delete=models.CASCADE)", "stores"),
        ("dependencies = [('amazon_sandbox', '0001_initial'), ('stores', '0003_storeevent')]", "stores"),
        ("from amazon_sandbox.app import registered_application", "amazon_sandbox"),
        ("apps.get_model('amazon_sandbox', 'SandboxSeller')", "amazon_sandbox"),
    ],
)
def test_the_checker_finds_every_way_of_naming_an_app(source, app):
    assert app in modules_named(source)


def test_the_checker_leaves_an_apps_own_and_third_party_imports_alone():
    source = (
        "from django.apps import apps\nfrom .marketplaces import MARKETPLACES\nfrom . import stores\n"
        "apps.get_model('amazon_sandbox', 'SandboxSeller')\nLABEL = 'stores'\nPAIR = ('stores', 'sellerauth')\n"
    )

    assert modules_named(source) == {"django", "amazon_sandbox"}


@pytest.mark.parametrize(
    ("source", "app"),
    [
        ("""<a href="{% url 'stores:home' %}">""", "stores"),
        ("""{% include "sellerauth/includes/status.html" %}""", "sellerauth"),
        ("""{% extends 'amazon_sandbox/base.html' %}""", "amazon_sandbox"),
    ],
)
def test_the_template_checker_finds_url_names_and_template_paths(source, app):
    assert templates_named(source) == {app}


def test_the_sandbox_and_the_application_agree_on_every_marketplace_fact_they_share():
    # Two tables of the same facts from Amazon's pages, kept apart on purpose: this keeps them equal.
    from amazon_sandbox.marketplaces import MARKETPLACES as SANDBOX
    from amazon_sandbox.marketplaces import REGIONS as SANDBOX_REGIONS
    from stores.marketplaces import MARKETPLACES, REGIONS

    def shared(m):
        return (m.marketplace_id, m.region, m.currency)

    assert {code: shared(m) for code, m in SANDBOX.items()} == {code: shared(m) for code, m in MARKETPLACES.items()}
    assert {code: str(name) for code, name in SANDBOX_REGIONS.items()} == {
        code: str(name) for code, name in REGIONS.items()
    }
