"""Control characters: the ones that carry no text in a document, and the ones that would drive a terminal."""
from __future__ import annotations

import re

# C0 controls and DEL that are not white space (tab, line feed, form feed and carriage return are kept)
NON_TEXT = "\x00-\x08\x0b\x0e-\x1f\x7f"
C1 = "\x80-\x9f"                       # the C1 controls (CSI, OSC ... in their one-byte forms)
BIDI = "\u202a-\u202e\u2066-\u2069"    # bidirectional embeddings, overrides and isolates: they reorder what follows
CONTROL = re.compile(f"[{NON_TEXT}]")
# what a terminal obeys: CSI / OSC escape sequences whole, then any other C0 or C1 control but tab and line feed,
# and the bidirectional overrides that make a terminal show text in another order than it is
_TERMINAL = re.compile(rf"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)|[{NON_TEXT}\x0c\r{C1}{BIDI}]")
_JSON_RAW = re.compile(f"[\x7f{C1}{BIDI}]")  # what json.dumps leaves raw though a terminal may obey it
_LINE_BREAKS = {"\n": "\\n", "\t": "\\t", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_LINE_BREAK = re.compile("[\n\t\u2028\u2029]")


def terminal_safe(text: str) -> str:
    """Return text without terminal control sequences (documents and HTTP headers must not drive the terminal)."""
    return _TERMINAL.sub("", text)


def one_line(text: str) -> str:
    """Return text safe for a terminal and on one line: a line break or tab (in a file name) shown as \\n, \\t."""
    return _LINE_BREAK.sub(lambda m: _LINE_BREAKS[m.group()], terminal_safe(text))


def escape_json_controls(line: str) -> str:
    """Return a JSON text with DEL, the C1 controls and the bidirectional overrides escaped as \\uXXXX."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", line)
