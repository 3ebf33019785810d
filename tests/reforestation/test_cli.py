"""`cccp forest ...` and `cccp simulate` as an operator runs them."""

from __future__ import annotations

import json
import shutil

from PIL import Image

from cccp.__main__ import main
from tests.registry.test_cli import _with_producer


def test_an_operator_adds_a_plot_lists_it_and_simulates_sixty_years(sqlite_template, tmp_path, monkeypatch, capsys):
    path = tmp_path / "cli.sqlite3"
    shutil.copy(sqlite_template, path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite://{path}")
    _with_producer(path, 42)
    assert main(["registry", "create-project", "--name", "Espírito Santo regrowth", "--methodology", "CCCP-ARR",
                 "--country", "BR", "--producer", "42", "--approve"]) == 0
    assert main(["forest", "add-plot", "--project", "P1", "--name", "Talhão 1", "--location", "Aracruz, BR",
                 "--area-ha", "2", "--species", "eucalyptus_grandis", "--trees", "2222",
                 "--planted", "2020-01-10"]) == 0
    assert "rotation 7 years" in capsys.readouterr().out
    assert main(["forest", "plots", "--json"]) == 0
    [plot] = json.loads(capsys.readouterr().out)
    assert (plot["species"], plot["rotation_years"], plot["area_m2"]) == ("eucalyptus_grandis", 7, 20_000)
    assert main(["forest", "add-plot", "--project", "P1", "--name", "x", "--location", "y", "--area-ha", "1",
                 "--species", "baobab", "--trees", "10"]) == 1
    assert "unknown_species" in capsys.readouterr().err

    chart = tmp_path / "chart.png"
    assert main(["simulate", "--plot", "1", "--years", "60", "--out", str(chart), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["years"] == 60 and result["rotations"] == 8  # harvests at 7, 14, ... 56
    assert 0 < result["issued_kg"] <= result["long_term_average_kg"]
    assert 0 < result["buffer_kg"] <= result["issued_kg"] * 20 // 100  # each batch rounds its share down
    assert result["cancelled_kg"] == 0
    assert Image.open(chart).size == (800, 450)
    assert main(["forest", "plots", "--json"]) == 0
    [after] = json.loads(capsys.readouterr().out)
    assert after["issued_kg"] == 0 and after["rotation"] == 1  # the live books were not touched
    assert main(["verify"]) == 0
