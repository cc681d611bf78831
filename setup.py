"""Build covgap's optional C accelerator.

The pure-Python readers are always installed and always correct; ``covgap._speedups``
only makes the hot loops (LCOV parsing, per-line merging) fast. A machine without a C
compiler still gets a working covgap, so a failed build is reported and skipped rather
than failing the install.
"""

from __future__ import annotations

import os

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """Build extensions, but never fail the install because of them."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # pragma: no cover - depends on the machine
            print(f"covgap: C accelerator not built ({exc}); using the pure-Python readers")

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:  # pragma: no cover - depends on the machine
            print(f"covgap: C accelerator {ext.name} not built ({exc})")


ext_modules = []
if os.environ.get("COVGAP_NO_EXTENSIONS") != "1" and os.path.exists("src/covgap/_speedups.c"):
    ext_modules.append(
        Extension("covgap._speedups", ["src/covgap/_speedups.c"], extra_compile_args=["-O2"])
    )
# The strict Cobertura XML scanner (covgap.formats.cobertura falls back to lxml without it).
# It and _xml_speedups share the XML tokenizer in _xml_scan.h (a header: listed in
# `depends` so a change rebuilds both, and shipped in the sdist by MANIFEST.in).
if os.environ.get("COVGAP_NO_EXTENSIONS") != "1" and os.path.exists(
    "src/covgap/_cobertura_speedups.c"
):
    ext_modules.append(
        Extension(
            "covgap._cobertura_speedups",
            ["src/covgap/_cobertura_speedups.c"],
            depends=["src/covgap/_xml_scan.h"],
            extra_compile_args=["-O2"],
        )
    )

# The streaming JaCoCo and Clover XML scanners (their readers fall back to lxml without it).
if os.environ.get("COVGAP_NO_EXTENSIONS") != "1" and os.path.exists("src/covgap/_xml_speedups.c"):
    ext_modules.append(
        Extension(
            "covgap._xml_speedups",
            ["src/covgap/_xml_speedups.c"],
            depends=["src/covgap/_xml_scan.h"],
            extra_compile_args=["-O2"],
        )
    )

setup(ext_modules=ext_modules, cmdclass={"build_ext": OptionalBuildExt})
