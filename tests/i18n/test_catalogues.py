"""
The Swedish catalogues: complete, checked, and made from the sources as they are now.

They are regenerated with GNU gettext, from the project's root and from amazon_sandbox/ (which keeps its own):

    django-admin makemessages -l sv --no-obsolete --ignore=.venv --ignore=amazon_sandbox --ignore=tests \
        --ignore=bench --ignore=staticfiles --ignore=build
    cd amazon_sandbox && django-admin makemessages -l sv --no-obsolete

then translated (no entry left empty or fuzzy) and compiled by scripts/compile_messages.py (`make messages`).
"""

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
APPLICATION = ROOT / "locale" / "sv" / "LC_MESSAGES" / "django.po"
SANDBOX = ROOT / "amazon_sandbox" / "locale" / "sv" / "LC_MESSAGES" / "django.po"
CATALOGUES = {"application": APPLICATION, "sandbox": SANDBOX}
# What the application's makemessages leaves out: the sandbox has its own catalogue; the rest is not shipped.
APPLICATION_IGNORED = (".venv", "amazon_sandbox", "tests", "bench", "staticfiles", "build")
GETTEXT_TOOLS = ("xgettext", "msguniq", "msgmerge", "msgattrib")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# "%(name)s", "%d", "%s" (not "%%"), and "{name}" (format_lazy, format_html).
PERCENT_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa%])")
BRACE_PLACEHOLDER = re.compile(r"(?<!\{)\{(\w*)\}(?!\})")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
# The Swedish guide's own words (Adobe's "Integrering med en Amazon Seller Account"), for the application's names.
GUIDE_TERMS = {
    "Amazon Sales Channel": "Amazon försäljningskanal",
    "Pre-installation tasks": "Åtgärder före installation",
    "Training and Preparation": "Utbildning och förberedelser",
    "Current Authorizations": "Aktuella auktoriseringar",
    "Add Amazon Store": "Lägg till en Amazon-butik",
}


def _catalogue(path: Path):
    with path.open("rb") as source:
        return read_po(source, abort_invalid=True)


def _entries(path: Path) -> dict:
    """Return the catalogue's entries by (context, msgid), the header left out."""
    return {(message.context, message.id): message for message in _catalogue(path) if message.id}


def _forms(message) -> list[tuple[str, str]]:
    """Return (English, Swedish) pairs of an entry: one, or for a plural entry the singular and the plural."""
    if isinstance(message.id, tuple):
        return list(zip(message.id, message.string, strict=False))
    return [(message.id, message.string)]


def _placeholders(text: str) -> tuple[Counter, Counter, list[str]]:
    percent = Counter(match for match in PERCENT_PLACEHOLDER.findall(text) if match[1] != "%")
    return percent, Counter(BRACE_PLACEHOLDER.findall(text)), sorted(HTML_TAG.findall(text))


@pytest.mark.parametrize("name", CATALOGUES)
def test_the_catalogue_is_swedish_with_its_plural_rule(name):
    catalogue = _catalogue(CATALOGUES[name])
    headers = dict(catalogue.mime_headers)

    assert headers["Language"] == "sv"
    assert headers["Plural-Forms"] == "nplurals=2; plural=(n != 1);"
    assert not catalogue.fuzzy


@pytest.mark.parametrize("name", CATALOGUES)
def test_every_entry_is_translated(name):
    untranslated = [
        key for key, message in _entries(CATALOGUES[name]).items() if not all(swedish for _, swedish in _forms(message))
    ]

    assert untranslated == []


@pytest.mark.parametrize("name", CATALOGUES)
def test_no_entry_is_fuzzy(name):
    fuzzy = [key for key, message in _entries(CATALOGUES[name]).items() if message.fuzzy]

    assert fuzzy == []


@pytest.mark.parametrize("name", CATALOGUES)
def test_plural_entries_have_both_swedish_forms(name):
    plurals = [message for message in _entries(CATALOGUES[name]).values() if isinstance(message.id, tuple)]
    incomplete = [message.id for message in plurals if len(message.string) != 2 or not all(message.string)]

    assert plurals
    assert incomplete == []


@pytest.mark.parametrize("name", CATALOGUES)
def test_translations_keep_the_placeholders_and_the_markup(name):
    broken = [
        (english, swedish)
        for message in _entries(CATALOGUES[name]).values()
        for english, swedish in _forms(message)
        if _placeholders(english) != _placeholders(swedish)
    ]

    assert broken == []


def test_a_msgid_in_both_catalogues_reads_the_same():
    # Django merges every catalogue and the project's (LOCALE_PATHS) wins, on the sandbox's pages too.
    application, sandbox = _entries(APPLICATION), _entries(SANDBOX)
    different = [key for key in application.keys() & sandbox.keys() if application[key].string != sandbox[key].string]

    assert different == []


def test_the_application_speaks_the_guides_words():
    entries = _entries(APPLICATION)

    assert {english: entries[None, english].string for english in GUIDE_TERMS} == GUIDE_TERMS


# In step with the sources ---------------------------------------------------------------------------------------


@pytest.fixture
def gettext_tools():
    """GNU gettext, which makemessages runs; CI installs it, so a missing one fails there rather than skips."""
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if missing:
        message = f"GNU gettext is missing ({', '.join(missing)}): the catalogues cannot be checked against the sources"
        if IN_CI:
            pytest.fail(message + " (CI installs Debian's gettext; a check that cannot run fails there)")
        pytest.skip(message + "; install Debian's gettext to run it")


def _makemessages_msgids(source: Path, workdir: Path, *, ignore: tuple[str, ...] = ()) -> set:
    """Run makemessages on a copy of `source` without its catalogues; return the msgids it finds."""
    copy = workdir / source.name
    skipped = shutil.ignore_patterns(".*", "__pycache__", "*.egg-info", "locale", *ignore)
    shutil.copytree(source, copy, ignore=skipped)
    (copy / "locale").mkdir()
    # Without settings, as the catalogues are made: makemessages then writes to ./locale. -P keeps the copy's own
    # modules (the sandbox's selectors.py) from shadowing the standard library's.
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    command = [sys.executable, "-P", "-m", "django", "makemessages", "-l", "sv", "--no-obsolete"]
    command += [f"--ignore={pattern}" for pattern in ignore]
    subprocess.run(command, cwd=copy, env=environment, check=True, capture_output=True, timeout=120)  # noqa: S603
    return set(_entries(copy / "locale" / "sv" / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize(
    ("catalogue", "source", "ignore"),
    [(APPLICATION, ROOT, APPLICATION_IGNORED), (SANDBOX, ROOT / "amazon_sandbox", ())],
    ids=["application", "sandbox"],
)
def test_the_catalogue_holds_exactly_the_strings_of_the_sources(gettext_tools, tmp_path, catalogue, source, ignore):
    found = _makemessages_msgids(source, tmp_path, ignore=ignore)
    committed = set(_entries(catalogue))

    assert sorted(found - committed, key=str) == [], "new strings: run makemessages (see this module) and translate"
    assert sorted(committed - found, key=str) == [], "strings no longer in the sources: run makemessages"
