import importlib.util
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import trans_real

ROOT = Path(__file__).resolve().parents[2]


def _compile_messages():
    spec = importlib.util.spec_from_file_location("compile_messages", ROOT / "scripts" / "compile_messages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    """Compile the catalogues as `make messages` does, so that these tests also run under a bare pytest."""
    compiler = _compile_messages()
    if [po for po in compiler.catalogues() if compiler.compile_catalogue(po)]:
        # A catalogue read before it was compiled stays cached in the process: have Django read them again, as it
        # does itself when LOCALE_PATHS changes in a test.
        trans_real._translations = {}
        trans_real.check_for_language.cache_clear()


@pytest.fixture(autouse=True)
def _default_language_after():
    """Leave the thread in the default language: LocaleMiddleware keeps a request's language active after it."""
    yield
    translation.deactivate()
