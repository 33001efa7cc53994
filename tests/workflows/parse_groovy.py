#!/usr/bin/env python3
"""Parses every Nextflow file given with PyPI `groovy-parser` (a Groovy 3 grammar); exit 1 with
the file and the parser's message when one does not parse, exit 3 when groovy-parser is absent.

    python3 tests/workflows/parse_groovy.py $(find workflows/nextflow -name '*.nf' -o -name '*.config')
"""
import sys

try:
    from groovy_parser.parser import parse_groovy_content
except ImportError:
    print("groovy-parser is not installed (pip install groovy-parser)")
    sys.exit(3)

failed = False
for path in sys.argv[1:]:
    with open(path) as fh:
        text = fh.read()
    try:
        parse_groovy_content(text)
        print(f"parsed {path}")
    except Exception as e:  # the parser raises lark errors with line and column
        failed = True
        print(f"{path}: {e}")
sys.exit(1 if failed else 0)
