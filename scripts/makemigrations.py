"""Make a migration, then move CHECK constraints out of CreateModel.

Tortoise 1.x's CreateModel does not emit a model's CHECK constraints (only
AddConstraint does, rebuilding the table on SQLite, which drops its indexes),
so a fresh database would silently lack them. This wraps `tortoise makemigrations` and rewrites the new
files: each CheckConstraint in a CreateModel's options becomes an AddConstraint
after the models are created, and the SQLite indexes are restored
(core.db_migration_support.py). tests/ledger/test_schema.py proves the database refuses
what the constraints forbid. A migration that changes a ledger table in a way
SQLite can only do by rebuilding it ends by installing the ledger's guards
again (core/ledger/guards.py: the rebuild drops the table's triggers).

Usage: .venv/bin/python scripts/makemigrations.py [-n NAME]
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

MIGRATIONS = Path(__file__).resolve().parent.parent / "core" / "migrations"
# The check is repr()'d: single quotes, or double quotes when it holds a string literal.
CHECK = r"""CheckConstraint\(check=(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"), name='[^']*'\)"""
CREATE = re.compile(r"ops\.CreateModel\(\s*name='(\w+)',(.*?)bases=", re.S)
CONSTRAINTS = re.compile(r"'constraints': \[((?:\s*" + CHECK + r",?\s*)*)\], ")


LEDGER_MODELS = ("Account", "Posting", "PostingKind", "Hold", "HoldStep", "Transfer")
REBUILDS = re.compile(
    r"ops\.(?:AddConstraint|RemoveConstraint|AlterField|RemoveField)\(\s*model_name='(?:"
    + "|".join(LEDGER_MODELS)
    + ")'"
)


def keep_ledger_guards(source: str) -> str:
    if not REBUILDS.search(source) or "install_ledger_guards" in source:
        return source
    source = source.replace(
        "from tortoise import migrations\n",
        "from tortoise import migrations\nfrom core.db_migration_support import install_ledger_guards\n",
        1,
    )
    head, _, _ = source.rstrip().rpartition("]")
    return head.rstrip() + "\n        ops.RunPython(install_ledger_guards),\n    ]\n"


def move_checks(source: str) -> str:
    adds: list[str] = []
    for model in CREATE.finditer(source):
        name, body = model.group(1), model.group(2)
        found = CONSTRAINTS.search(body)
        if found:
            for check in re.findall(CHECK, found.group(1)):
                adds.append(f"        ops.AddConstraint(model_name='{name}', constraint={check}),\n")
    if not adds:
        return source
    models = sorted({re.search(r"model_name='(\w+)'", a).group(1) for a in adds})
    adds += [f"        ops.RunPython(restore_sqlite_indexes('{m}')),\n" for m in models]
    source = source.replace(
        "from tortoise import migrations\n",
        "from tortoise import migrations\nfrom core.db_migration_support import restore_sqlite_indexes\n",
        1,
    )
    source = CONSTRAINTS.sub("", source)
    head, _, _ = source.rstrip().rpartition("]")
    return head.rstrip() + "\n" + "".join(adds) + "    ]\n"


# Tortoise 1.1's Field.deconstruct writes `generated` only when it is True, so a
# primary key declared `generated=False` (the Telegram user id) came back from
# the migration as an auto-increment column and makemigrations saw a change
# forever. This runs the CLI with deconstruct keeping the False.
CLI = """
import runpy, sys
from tortoise.fields.base import Field
_deconstruct = Field.deconstruct
def deconstruct(self):
    path, args, kwargs = _deconstruct(self)
    if self.pk and self.allows_generated and not self.generated:
        kwargs = {"generated": False, **kwargs}
    return path, args, kwargs
Field.deconstruct = deconstruct
sys.argv = ["tortoise", *sys.argv[1:]]
runpy.run_module("tortoise", run_name="__main__")
"""


def main() -> int:
    before = set(MIGRATIONS.glob("0*.py"))
    cmd = [sys.executable, "-c", CLI, "-c", "core.db.TORTOISE_ORM", "makemigrations", *sys.argv[1:]]
    subprocess.run(cmd, check=True)
    for path in sorted(set(MIGRATIONS.glob("0*.py")) - before):
        path.write_text(keep_ledger_guards(move_checks(path.read_text())))
        print(f"checked constraints in {path.name}")
        # The writer's import order is not ruff's; `make lint` checks migrations too.
        subprocess.run([sys.executable, "-m", "ruff", "check", "--fix", "--quiet", str(path)], check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
