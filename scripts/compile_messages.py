"""Compile every translation catalogue (`locale/*/LC_MESSAGES/*.po`) into the `.mo` file Django reads.

Pure Python (Babel), so setup needs no GNU gettext. A catalogue is compiled only when its `.mo` is missing or older
than its `.po`. Fuzzy entries are left out, as msgfmt does: a translation nobody has checked is never shown.
"""

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

root = Path(__file__).resolve().parent.parent


def catalogues():
    for po in sorted(root.glob("**/locale/*/LC_MESSAGES/*.po")):
        if ".venv" not in po.relative_to(root).parts:
            yield po


def compile_catalogue(po: Path) -> bool:
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        return False
    with po.open("rb") as source:
        catalogue = read_po(source, abort_invalid=True)
    with mo.open("wb") as target:
        write_mo(target, catalogue, use_fuzzy=False)
    return True


if __name__ == "__main__":
    compiled = [po for po in catalogues() if compile_catalogue(po)]
    for po in compiled:
        print(f"Compiled {po.relative_to(root)}", file=sys.stderr)
