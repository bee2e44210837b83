"""Every text people read goes through gettext: templates and Python's user-facing call sites (tests/i18n/scan.py)."""

from pathlib import Path

import pytest

from tests.i18n.scan import python_offenders, template_offenders

ROOT = Path(__file__).resolve().parents[2]
APPS = ("stores", "sellerauth", "asc_project", "amazon_sandbox")
TEMPLATE_DIRS = (ROOT / "templates", ROOT / "amazon_sandbox" / "templates")
# Not pages: the body of the sandbox's "502 with an HTML page" fault, which the application's HTTP client receives
# in place of Amazon's JSON, as from a broken gateway, and never shows.
NOT_READ = {ROOT / "amazon_sandbox" / "templates" / "amazon_sandbox" / "gateway_error.html"}

TEMPLATES = sorted(
    path
    for directory in TEMPLATE_DIRS
    for path in directory.rglob("*")
    if path.suffix in (".html", ".txt") and path not in NOT_READ
)
MODULES = sorted(
    path
    for app in APPS
    for path in (ROOT / app).rglob("*.py")
    if "migrations" not in path.parts and "__pycache__" not in path.parts
)


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("path", TEMPLATES, ids=_name)
def test_the_template_marks_every_text_for_translation(path):
    assert template_offenders(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", MODULES, ids=_name)
def test_the_module_passes_every_user_facing_text_through_gettext(path):
    command = "commands" in path.parent.parts and path.parent.parent.name == "management"

    assert python_offenders(path.read_text(encoding="utf-8"), command=command) == []


def test_the_scanners_look_where_the_texts_are():
    assert len(TEMPLATES) > 50
    assert any(path.name == "reminder.txt" for path in TEMPLATES)  # the e-mails too
    assert any("amazon_sandbox" in path.parts for path in TEMPLATES)
    assert any(path.parent.name == "commands" for path in MODULES)


BAD_TEMPLATE = """{% extends "base.html" %}{% load i18n %}
{% block content %}
<h1>Connect your store</h1>
<p>{% translate "Marked" %} · {{ store.name }} (and this)</p>
<img src="x.svg" alt="Store logo">
<button aria-label="Close dialog">&times;</button>
<input placeholder="{% translate 'Search' %}">
<span title="{% blocktranslate with name=user %}Signed in as {{ name }}{% endblocktranslate %}">{{ user }}</span>
{% comment %}Not shown: a comment.{% endcomment %}{# Nor this. #}
<script>const notText = "ignored";</script>
{% endblock %}
"""


def test_the_template_scanner_finds_text_outside_translate():
    assert template_offenders(BAD_TEMPLATE) == [
        "Connect your store",
        "… · … (and this)",  # "…" stands for what a tag or variable renders
        'alt="Store logo"',
        'aria-label="Close dialog"',
    ]


def test_the_template_scanner_passes_marked_text_variables_punctuation_and_proper_names():
    template = """{% load i18n %}<p>{% translate "Hello" %}: {{ count }} · 42 – “{{ name }}” &times;</p>
    <span class="sc-logo">amazon <span>seller central</span></span>
    <p>{% blocktranslate count days=n %}{{ days }} day{% plural %}{{ days }} days{% endblocktranslate %}</p>"""

    assert template_offenders(template) == []


BAD_MODULE = """
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _


class Kind(models.TextChoices):
    NEW = "new", "New"
    ASIN = "ASIN", "ASIN"


class Thing(models.Model):
    name = models.CharField("name", max_length=10)
    size = models.IntegerField(_("size"), help_text="How big it is.")

    class Meta:
        verbose_name = "thing"


class ThingForm(forms.Form):
    name = forms.CharField(label="Name", error_messages={"required": "Say a name."})


def view(request, count):
    messages.success(request, "Saved.")
    messages.error(request, _("Marked."))
    messages.warning(request, f"{count} things were left out")
    raise ValidationError("Bad name: %s" % count)
"""

BAD_COMMAND = """
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    def handle(self, *args, **options):
        self.stdout.write(f"{3} reminders sent")
        self.stdout.write(_("%(count)d marked") % {"count": 3})
        self.stdout.write(f"  {'name':<10} {3}")
"""


def test_the_python_scanner_finds_texts_not_passed_through_gettext():
    assert python_offenders(BAD_MODULE) == [
        (10, "'New'"),
        (15, "'name'"),
        (16, "'How big it is.'"),
        (19, "'thing'"),
        (23, "'Name'"),
        (23, "{'required': 'Say a name.'}"),
        (27, "'Saved.'"),
        (29, "f'{count} things were left out'"),
        (30, "'Bad name: %s' % count"),
    ]


def test_the_python_scanner_reads_the_output_of_management_commands():
    assert python_offenders(BAD_COMMAND, command=True) == [(7, "f'{3} reminders sent'")]
    assert python_offenders(BAD_COMMAND) == []  # elsewhere, stdout is no one's page
