import asyncio
import shutil

from cccp.__main__ import main
from core import db as database
from tests.helpers import sign_up_producer


def _with_producer(path, user_id: int) -> None:
    async def seed() -> None:
        await database.open_db(f"sqlite://{path}")
        try:
            await sign_up_producer(user_id)
        finally:
            await database.close_db()

    asyncio.run(seed())


def test_an_operator_creates_a_project_issues_methane_and_shows_a_serial(
    sqlite_template, tmp_path, monkeypatch, capsys
):
    path = tmp_path / "cli.sqlite3"
    shutil.copy(sqlite_template, path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{path}")
    _with_producer(path, 42)
    assert main(["registry", "create-project", "--name", "Hamburg landfill", "--methodology",
                 "ACM0001", "--country", "DE", "--producer", "42", "--approve"]) == 0
    assert main(["registry", "issue", "P1", "2024", "12.5", "--gas", "CH4"]) == 0
    assert main(["registry", "issue", "P1", "2024", "12.5", "--gas", "CH4"]) == 0  # same key
    assert main(["registry", "projects"]) == 0
    assert main(["registry", "show", "CCCP-P1-2024-5"]) == 0
    out = capsys.readouterr().out
    assert out.count("issued 337500 kg CO2e") == 2
    assert "CCCP-P1-2024-1-337500" in out
    assert "CCCP-P1-2024-5-5  1 kg  active" in out
    assert main(["verify"]) == 0


def test_a_refused_issuance_prints_its_code_and_exits_1(sqlite_template, tmp_path, monkeypatch, capsys):
    path = tmp_path / "cli.sqlite3"
    shutil.copy(sqlite_template, path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{path}")
    _with_producer(path, 7)
    assert main(["registry", "create-project", "--name", "Draft", "--methodology", "VM0047",
                 "--country", "BR", "--producer", "7"]) == 0
    assert main(["registry", "issue", "P1", "2024", "5", "--unit", "t"]) == 1
    assert "project_not_approved" in capsys.readouterr().err


def test_a_project_for_a_producer_who_never_signed_up_is_refused_with_a_clear_message(
    sqlite_template, tmp_path, monkeypatch, capsys
):
    path = tmp_path / "cli.sqlite3"
    shutil.copy(sqlite_template, path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{path}")
    assert main(["registry", "create-project", "--name", "Hamburg landfill", "--methodology",
                 "ACM0001", "--country", "DE", "--producer", "42", "--approve"]) == 1
    err = capsys.readouterr().err
    assert "unknown_producer" in err and "no user with id 42 has signed up" in err
    assert main(["registry", "projects"]) == 0
    assert "no projects" in capsys.readouterr().out
