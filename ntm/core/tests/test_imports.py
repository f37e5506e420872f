"""Imports sit at module top; one inside a function says why beside it.

import-linter (``make lint``) checks which app may import which, deferred imports included;
this checks where imports are written. An import inside a function or method needs a comment on
its line or on the line directly above it, or above the run of imports it opens (e.g.
``# deferred: openpyxl takes ~0.6 s to import``). Migrations and tests are not checked.
"""

import ast
import io
import tokenize
from pathlib import Path

NTM = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {"migrations", "tests"}


def _sources() -> list[Path]:
    return sorted(
        path
        for path in NTM.rglob("*.py")
        if not SKIPPED_DIRS & set(path.relative_to(NTM).parts[:-1])
    )


def _comment_lines(source: str) -> tuple[set[int], set[int]]:
    """Lines holding a comment, and lines holding nothing but one."""
    with_comment: set[int] = set()
    code: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            with_comment.add(token.start[0])
        elif token.type not in {tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}:
            code.update(range(token.start[0], token.end[0] + 1))
    return with_comment, with_comment - code


def _function_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    found: dict[int, ast.Import | ast.ImportFrom] = {}
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    found[node.lineno] = node
    return [found[line] for line in sorted(found)]


def unexplained_imports(path: Path) -> list[int]:
    """Lines of imports inside functions with no reason written beside them."""
    source = path.read_text(encoding="utf-8")
    with_comment, comment_only = _comment_lines(source)
    imports = _function_imports(ast.parse(source))
    ends = {node.end_lineno: node for node in imports}
    explained: set[int] = set()
    bad = []
    for node in imports:
        above = node.lineno - 1
        previous = ends.get(above)
        if (
            node.lineno in with_comment
            or above in comment_only
            # The second and later imports of a run share the reason written above the first.
            or (previous is not None and previous.lineno in explained)
        ):
            explained.add(node.lineno)
        else:
            bad.append(node.lineno)
    return bad


def test_every_import_inside_a_function_says_why():
    found = [
        f"{path.relative_to(NTM.parent)}:{line}"
        for path in _sources()
        for line in unexplained_imports(path)
    ]
    assert not found, (
        "Move these imports to the module top, or write the reason on the line or the line "
        "above (e.g. '# deferred: heavy (matplotlib)'):\n" + "\n".join(found)
    )


def test_the_check_reads_the_sources_and_finds_an_unexplained_import(tmp_path):
    assert len(_sources()) > 100
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\n"
        "\n"
        "def explained():\n"
        "    # deferred: heavy\n"
        "    import json\n"
        "    import csv\n"
        "    import re  # deferred: a cycle\n"
        "\n"
        "def unexplained():\n"
        "    x = 1\n"
        "    import json\n"
        "\n"
        "class Page:\n"
        "    def method(self):\n"
        '        """A docstring is not a reason."""\n'
        "        from decimal import Decimal\n",
        encoding="utf-8",
    )
    assert unexplained_imports(sample) == [11, 16]
