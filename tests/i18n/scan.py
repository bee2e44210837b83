"""
Find text meant for people that is not marked for translation: in templates, and at Python's user-facing call sites.

Templates: the text between tags and the attributes people read (alt, title, placeholder, aria-label,
aria-description, and data-label, which the sandbox's tables show through CSS), outside {% translate %} and
{% blocktranslate %}. Variables, punctuation, numbers and a short list of proper names pass.

Python: messages.*, ValidationError, CommandError, form and model labels (label=, help_text=, verbose_name=,
empty_label=, error_messages=, a model field's first argument), choices' labels, the admin site's titles, and
what management commands write to stdout and stderr: a string literal (or f-string, or one formatted with % or
.format) there must go through gettext.
"""

import ast
import re
from html.parser import HTMLParser

from django.template.base import Lexer, TokenType

# Shown as they are in every language: the sandbox's Seller Central logo ("amazon seller central").
PROPER_NAMES = {"amazon", "seller central"}
READ_ATTRIBUTES = {"alt", "title", "placeholder", "aria-label", "aria-description", "data-label"}
TRANSLATE_TAGS = {"translate", "trans"}
BLOCK_TRANSLATE_TAGS = {"blocktranslate", "blocktrans"}
END_BLOCK_TRANSLATE_TAGS = {"endblocktranslate", "endblocktrans"}
# Blocks that base templates render inside an attribute (class="sc-main{% block main_class %}…"): not text.
ATTRIBUTE_BLOCKS = {"main_class"}
# Stands for whatever a tag or variable renders: never text of the template's own.
MARK = "\ue000"
LETTER = re.compile(r"[^\W\d_]")


def _needs_translation(text: str) -> bool:
    """Tell whether rendered template text holds words of its own (not only marks, punctuation or numbers)."""
    words = " ".join(text.replace(MARK, " ").split())
    return bool(LETTER.search(words)) and words.casefold() not in PROPER_NAMES


def _untranslated_html(source: str) -> str:
    """Return the template as HTML with every translated text, variable and tag replaced by MARK."""
    parts, depth, in_comment, blocks = [], 0, False, []
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.COMMENT:
            continue
        if token.token_type == TokenType.BLOCK:
            name, *arguments = token.contents.split() or [""]
            if in_comment:
                in_comment = name != "endcomment"
                continue
            in_comment = name == "comment"
            depth += (name in BLOCK_TRANSLATE_TAGS) - (name in END_BLOCK_TRANSLATE_TAGS)
            if name == "block":
                blocks.append(arguments[0] if arguments else "")
            elif name == "endblock" and blocks:
                blocks.pop()
        elif token.token_type == TokenType.TEXT and not (depth or in_comment or ATTRIBUTE_BLOCKS & set(blocks)):
            parts.append(token.contents)
            continue
        if not depth and not in_comment:
            parts.append(MARK)
    return "".join(parts)


class _TextCollector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._raw = 0  # inside <script> or <style>

    def handle_starttag(self, tag, attrs):
        self._raw += tag in ("script", "style")
        self.handle_startendtag(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value and _needs_translation(value):
                self.found.append(f'{name}="{" ".join(value.replace(MARK, "…").split())}"')

    def handle_endtag(self, tag):
        self._raw -= tag in ("script", "style") and self._raw > 0

    def handle_data(self, data):
        if not self._raw and _needs_translation(data):
            self.found.append(" ".join(data.replace(MARK, "…").split()))


def template_offenders(source: str) -> list[str]:
    """Return the texts of a template that people read but that are not marked for translation."""
    collector = _TextCollector()
    collector.feed(_untranslated_html(source))
    collector.close()
    return collector.found


# Python ---------------------------------------------------------------------------------------------------------

GETTEXT_FUNCTIONS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
MESSAGE_LEVELS = {"debug", "info", "success", "warning", "error"}
TEXT_KEYWORDS = {
    "label",
    "help_text",
    "verbose_name",
    "verbose_name_plural",
    "empty_label",
    "error_messages",
    "message",
}
TEXT_ATTRIBUTES = {"verbose_name", "verbose_name_plural", "site_header", "site_title", "index_title"}
CHOICES_BASES = {"TextChoices", "IntegerChoices", "Choices"}
EXCEPTIONS = {"ValidationError", "CommandError"}


def _has_letters(value) -> bool:
    return isinstance(value, str) and bool(LETTER.search(value))


def _literal_text(node) -> bool:
    """Tell whether an expression is text written in the code rather than passed through gettext."""
    if isinstance(node, ast.Constant):
        return _has_letters(node.value)
    if isinstance(node, ast.JoinedStr):  # an f-string: its own words, not the values it formats
        return any(isinstance(part, ast.Constant) and _has_letters(part.value) for part in node.values)
    if isinstance(node, ast.BinOp):  # "…" % values, "…" + more
        return _literal_text(node.left) or _literal_text(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("format", "join"):
        return _literal_text(node.func.value) if node.func.attr == "format" else False
    if isinstance(node, ast.Dict):  # ValidationError({"field": "…"}), error_messages={"required": "…"}
        return any(_literal_text(value) for value in node.values)
    if isinstance(node, ast.List | ast.Tuple):
        return any(_literal_text(element) for element in node.elts)
    return False


def _name(node) -> str:
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


def _call_texts(node: ast.Call, *, command: bool):
    """Yield the arguments of a call that people read."""
    function, owner = node.func, getattr(node.func, "value", None)
    name = _name(function)
    if name in MESSAGE_LEVELS and _name(owner) == "messages":
        yield from node.args[1:2]
    elif name == "add_message" and _name(owner) == "messages":
        yield from node.args[2:3]
    elif name in EXCEPTIONS:
        yield from node.args[:1]
    elif name.endswith("Field") and _name(owner) == "models":
        yield from node.args[:1]  # a model field's verbose name
    elif command and name == "write" and _name(owner) in ("stdout", "stderr"):
        yield from node.args[:1]
    yield from (keyword.value for keyword in node.keywords if keyword.arg in TEXT_KEYWORDS)


def _choice_labels(node: ast.ClassDef):
    """Yield the labels of a choices class's members (value, label), unless the label is the value itself."""
    if not {_name(base) for base in node.bases} & CHOICES_BASES:
        return
    for statement in node.body:
        value = getattr(statement, "value", None)
        if isinstance(statement, ast.Assign) and isinstance(value, ast.Tuple) and len(value.elts) == 2:
            stored, label = value.elts
            if not (
                isinstance(stored, ast.Constant) and isinstance(label, ast.Constant) and stored.value == label.value
            ):
                yield label


def python_offenders(source: str, *, command: bool = False) -> list[tuple[int, str]]:
    """Return (line, code) of each user-facing text of a module that does not go through gettext.

    `command`: the module is a management command, whose output people read.
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        texts = []
        if isinstance(node, ast.Call):
            texts = list(_call_texts(node, command=command))
        elif isinstance(node, ast.Assign) and any(_name(target) in TEXT_ATTRIBUTES for target in node.targets):
            texts = [node.value]
        elif isinstance(node, ast.ClassDef):
            texts = list(_choice_labels(node))
        found += [(text.lineno, ast.unparse(text)) for text in texts if _literal_text(text)]
    return sorted(found)
