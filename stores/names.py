"""
Store names that look alike are the same name.

A store name is refused when it holds a character nobody sees (format and bidirectional controls such as
U+200B ZERO WIDTH SPACE or U+202E RIGHT-TO-LEFT OVERRIDE, other default-ignorable code points, control
characters, line separators, unassigned code points). Names are compared by `name_key`: their visible skeleton
in the sense of Unicode TR39 (https://www.unicode.org/reports/tr39/#Confusable_Detection), case-folded and with
spaces collapsed, so "Ѕtore US" (a Cyrillic Ѕ), "Ｓｔｏｒｅ ＵＳ" and "store   us" all meet "Store US".

TR39's mapping is case-sensitive (it maps "I" to "l" but leaves "i"), and case-insensitive names are the older
promise: so the name is case-folded before the skeleton, except for the characters that TR39 maps to a capital
letter (Cyrillic Т to Latin T, Greek Ν to Latin N, the digit 0 to O…), which count as that capital first. The
one look-alike this leaves out is a capital I written for a small l: folding both together would make "Fiat"
and "Flat" collide.
"""

import functools
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Code points that are invisible or break the line; every other default-ignorable one is listed below.
REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
# Default_Ignorable_Code_Point (Unicode's DerivedCoreProperties.txt) outside those categories: the combining
# grapheme joiner, the Hangul fillers, Khmer's inherent vowels, Mongolian variation selectors, variation selectors.
DEFAULT_IGNORABLE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180d\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]"
)
# The name_key column's length: a name whose key would not fit is refused (NFKC may expand a character 18-fold).
KEY_MAX_LENGTH = 1024
# What the forms (the merchant's and the admin's) say when a name looks like another store's.
TAKEN_MESSAGE = _(
    "A store named “%(name)s” already exists. Choose a name that differs by more than case, spaces or look-alike "
    "letters."
)
# confusable-homoglyphs writes right-to-left characters between LEFT-TO-RIGHT MARKs in its data.
_LRM = "\u200e"


def _invisible(char: str) -> bool:
    return unicodedata.category(char) in REFUSED_CATEGORIES or bool(DEFAULT_IGNORABLE.match(char))


def invisible_characters(name: str) -> list[str]:
    """Return the invisible and control characters of a name, each once, in order."""
    return list(dict.fromkeys(char for char in name if _invisible(char)))


def _describe(char: str) -> str:
    code = f"U+{ord(char):04X}"
    return f"{code} {unicodedata.name(char)}" if unicodedata.name(char, "") else code


def validate_visible_name(name: str) -> None:
    """Refuse a name with invisible or control characters, or one too long to compare."""
    found = invisible_characters(name)
    if found:
        raise ValidationError(
            _(
                "The name contains a character that is invisible or controls the text direction (%(characters)s). "
                "Type the name again without it."
            ),
            code="invisible",
            params={"characters": ", ".join(_describe(char) for char in found)},
        )
    # A name longer than the key is refused by its field's max_length anyway: no need to spell it out.
    if len(name) <= KEY_MAX_LENGTH and len(name_key(name)) > KEY_MAX_LENGTH:
        raise ValidationError(_("The name is too long once its characters are spelled out."), code="max_length")


@functools.cache
def _prototypes() -> dict[str, str]:
    """Return TR39's confusables mapping, each character to its prototype, from confusable-homoglyphs' data.

    The package keeps each line of confusables.txt in both directions. A prototype is recognised as the one
    side with several look-alikes or inside a sequence; when a pair says neither, the lower code point is
    taken: the two then share one skeleton, which is all a comparison needs.
    """
    from confusable_homoglyphs.confusables import confusables_data

    look_alikes: dict[str, list[str]] = {}
    for char, entries in confusables_data.items():
        look_alikes.setdefault(char.replace(_LRM, ""), []).extend(entry["c"].replace(_LRM, "") for entry in entries)
    in_sequences = {
        char for key, found in look_alikes.items() for text in (key, *found) if len(text) > 1 for char in text
    }
    mapping = {}
    for char, found in look_alikes.items():
        if len(char) != 1 or len(found) != 1:
            continue
        target = found[0]
        target_is_prototype = len(target) > 1 or len(look_alikes.get(target, ())) > 1 or target in in_sequences
        if target_is_prototype or (char not in in_sequences and ord(char) > ord(target)):
            mapping[char] = target
    return mapping


def skeleton(text: str) -> str:
    """Return TR39's skeleton of the text: NFD, without default-ignorables, each character's prototype, NFD."""
    prototypes = _prototypes()
    decomposed = unicodedata.normalize("NFD", text)
    mapped = "".join(prototypes.get(char, char) for char in decomposed if not _ignorable(char))
    return unicodedata.normalize("NFD", mapped)


def _ignorable(char: str) -> bool:
    return unicodedata.category(char) == "Cf" or bool(DEFAULT_IGNORABLE.match(char))


@functools.cache
def _capital(char: str) -> str:
    """Return the capital letter a character looks like (Cyrillic Т: Latin T), or the character itself."""
    prototype = _prototypes().get(char, char)
    return prototype if len(prototype) == 1 and unicodedata.category(prototype) == "Lu" else char


def name_key(name: str) -> str:
    """Return what store name uniqueness compares: the visible skeleton, case-folded, spaces collapsed."""
    text = "".join(_capital(char) for char in unicodedata.normalize("NFKC", name))
    folded = skeleton(text.casefold()).casefold()
    return " ".join(folded.split())
