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
    assert out.count("issued 337500 kg CO2e") == 1
    assert out.count("already issued under key cli:P1:2024:12.5:None:CH4, nothing new") == 1
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


def test_issuing_again_under_the_same_key_says_it_was_already_issued(
    sqlite_template, tmp_path, monkeypatch, capsys
):
    path = tmp_path / "cli.sqlite3"
    shutil.copy(sqlite_template, path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{path}")
    _with_producer(path, 7)
    assert main(["registry", "create-project", "--name", "Pará forest", "--methodology", "VM0047",
                 "--country", "BR", "--producer", "7", "--approve"]) == 0
    capsys.readouterr()

    assert main(["registry", "issue", "P1", "2024", "5", "--unit", "t", "--key", "q3-2024"]) == 0
    first = capsys.readouterr().out
    assert main(["registry", "issue", "P1", "2024", "5", "--unit", "t", "--key", "q3-2024"]) == 0
    again = capsys.readouterr().out

    assert first.startswith("issued 5000 kg CO2e (1000 kg to the buffer pool)")
    assert again.startswith("already issued under key q3-2024, nothing new: 5000 kg CO2e")
    assert main(["registry", "show", "CCCP-P1-2024-5000"]) == 0
    assert main(["registry", "show", "CCCP-P1-2024-5001"]) == 1  # no second batch


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
