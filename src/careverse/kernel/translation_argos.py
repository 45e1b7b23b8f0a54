"""Argos Translate as a chat translation engine, only where an operator installed its models.

Nothing here downloads anything. ``CAREVERSE_TRANSLATION_MODELS_DIR`` names a folder of
``.argosmodel`` files (docs/i18n.md says where to get them); each is installed into Argos with
``argostranslate.package.install_from_path`` the first time, and the installed pairs are used.
No folder, no ``argostranslate`` package or no model in the folder: no engine (the glossary
translator still answers).
"""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path
from typing import Any


@cache
def _argos(models_dir: str) -> Any | None:
    """argostranslate.translate with the folder's models installed, or None."""
    folder = Path(models_dir)
    models = sorted(folder.glob("*.argosmodel")) if folder.is_dir() else []
    if not models:
        return None
    try:
        package = importlib.import_module("argostranslate.package")
        translate = importlib.import_module("argostranslate.translate")
    except ImportError:
        return None
    installed = {p.package_path.name for p in package.get_installed_packages()}
    for model in models:
        if model.stem not in installed:
            package.install_from_path(model)
    return translate


class ArgosTranslator:
    name = "argos"

    def __init__(self, translate: Any):
        self._translate = translate

    @classmethod
    def installed(cls, models_dir: str | None) -> ArgosTranslator | None:
        argos = _argos(models_dir) if models_dir else None
        return cls(argos) if argos is not None else None

    def detect(self, text: str) -> str | None:
        return None  # Argos needs the source language: the glossary's guess is used instead

    def translate(self, text: str, source: str, target: str) -> str | None:
        languages = {lang.code: lang for lang in self._translate.get_installed_languages()}
        if source not in languages or target not in languages:
            return None
        pair = languages[source].get_translation(languages[target])
        return pair.translate(text) if pair is not None else None
