"""Study aids made only of verbatim quotes: outline, timeline, glossary, cards, citation check, export."""
from __future__ import annotations

from .build import Study, build_study

__all__ = ["Study", "build_study"]
