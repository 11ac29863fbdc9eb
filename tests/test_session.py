"""Sessions (save and load the app's state as JSON or TOML) and the export of runs (csv and JSON)."""

from __future__ import annotations

import csv
import errno
import json
import math
import os
import random
import sys
import tempfile
import tomllib
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lrtui.io import sessions as S
from lrtui.io.sessions import FORMAT_VERSION, MAX_BYTES, Session, SessionError, load_session, save_session
from lrtui.io.run_export import export_runs, write_new
from lrtui.sim.engine import simulate
from lrtui.sim.config import RunConfig

SEQUENTIAL = {"name": "sequential", "params": {
    "lr": 0.2,
    "schedulers": ({"name": "linear", "params": {"start_factor": 0.1, "total_iters": 5}},
                   {"name": "cosine", "params": {"T_max": 45, "eta_min": 0.001}}),
    "milestones": (5,),
}}
CHAINED = {"name": "chained", "params": {"lr": 0.1, "schedulers": (
    {"name": "exponential", "params": {"gamma": 0.95}}, {"name": "step", "params": {"step_size": 10}})}}

SESSIONS = {
    "plain": Session(RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 100}})),
    "nested": Session(
        RunConfig(schedule=SEQUENTIAL, epochs=50, problem="ravine", optimizer="momentum",
                  optimizer_params={"momentum": 0.5}, seed=7, steps_per_epoch=3),
        pinned=(RunConfig(schedule=CHAINED, epochs=50),
                RunConfig(schedule={"name": "warmup_cosine_min_lr", "params": {"min_lr": None, "min_lr_rate": 0.2}}),
                RunConfig(schedule={"name": "multistep", "params": {"milestones": (10, 20), "gamma": 0.5}})),
        epoch=49, target_loss=0.01,
    ),
    "plateau": Session(RunConfig(schedule={"name": "plateau", "params": {"patience": 3}}, plateau_metric="running"),
                       epoch=12, target_loss=0.0),
}


def snapshot(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def files_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def raising(error: BaseException):
    def fail(*args, **kwargs):
        raise error

    return fail


def check_error(err: pytest.ExceptionInfo, path: Path, *words: str) -> None:
    """One line, naming the file, saying what is wrong."""
    message = str(err.value)
    assert "\n" not in message
    assert path.name in message
    for word in words:
        assert word in message


class TestRoundTrip:
    @pytest.mark.parametrize("suffix", [".json", ".toml"])
    @pytest.mark.parametrize("name", list(SESSIONS))
    def test_what_is_saved_loads_back_equal(self, tmp_path, suffix, name):
        path = tmp_path / f"s{suffix}"
        assert save_session(SESSIONS[name], path) == path
        assert load_session(path) == SESSIONS[name]
        assert files_in(tmp_path) == [path.name]  # no temporary file left behind

    @pytest.mark.parametrize("suffix", [".json", ".toml"])
    def test_saving_a_loaded_session_gives_the_same_bytes(self, tmp_path, suffix):
        first, second = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
        save_session(SESSIONS["nested"], first)
        save_session(load_session(first), second)
        assert first.read_bytes() == second.read_bytes()

    def test_json_layout(self, tmp_path):
        path = save_session(SESSIONS["nested"], tmp_path / "s.json")
        data = json.loads(path.read_text())
        assert list(data) == ["lrtui_session", "epoch", "target_loss", "config", "pinned"]
        assert data["lrtui_session"] == FORMAT_VERSION == 2
        assert data["epoch"] == 49 and data["target_loss"] == 0.01 and len(data["pinned"]) == 3
        assert data["config"]["schedule"]["params"]["schedulers"][1] == {
            "name": "cosine", "params": {"T_max": 45, "eta_min": 0.001}}
        assert data["pinned"][1]["schedule"]["params"]["min_lr"] is None

    def test_only_the_parameters_set_are_written(self, tmp_path):
        for suffix, parse in ((".json", json.loads), (".toml", tomllib.loads)):
            path = save_session(SESSIONS["plain"], tmp_path / f"s{suffix}")
            config = parse(path.read_text())["config"]
            assert config["schedule"] == {"name": "cosine", "params": {"lr": 0.1, "T_max": 100}}
            assert config["problem_params"] == {} and config["optimizer_params"] == {}

    def test_toml_has_no_null(self, tmp_path):
        path = save_session(SESSIONS["plain"], tmp_path / "s.toml")
        data = tomllib.loads(path.read_text())
        assert "target_loss" not in data and data["pinned"] == []
        assert load_session(path).target_loss is None
        nested = tomllib.loads(save_session(SESSIONS["nested"], tmp_path / "n.toml").read_text())
        assert nested["pinned"][1]["schedule"]["params"]["min_lr"] == "none"  # read back as None (above)

    def test_text_values_are_saved_as_the_values_they_stand_for(self, tmp_path):
        typed_at_the_cli = RunConfig(schedule={"name": "step", "params": {"lr": "0.5", "step_size": "10"}},
                                     problem_params={"noise": "0.1"}, epochs="40", seed="3")
        path = save_session(Session(typed_at_the_cli, epoch=5), tmp_path / "s.json")
        assert load_session(path).config == RunConfig(
            schedule={"name": "step", "params": {"lr": 0.5, "step_size": 10}}, problem_params={"noise": 0.1},
            epochs=40, seed=3)

    def test_members_named_alone_and_lists_are_normalised(self, tmp_path):
        spec = {"name": "sequential", "params": {"schedulers": ["constant", {"name": "exponential"}],
                                                 "milestones": [3]}}
        path = save_session(Session(RunConfig(schedule=spec)), tmp_path / "s.toml")
        assert load_session(path).config.schedule == {"name": "sequential", "params": {
            "schedulers": ({"name": "constant", "params": {}}, {"name": "exponential", "params": {}}),
            "milestones": (3,)}}

    def test_the_suffix_picks_the_format_in_any_case(self, tmp_path):
        path = save_session(SESSIONS["plain"], tmp_path / "S.JSON")
        json.loads(path.read_text())
        assert load_session(path) == SESSIONS["plain"]

    @pytest.mark.parametrize("name", ["s.yaml", "s", "s.json.bak"])
    def test_other_suffixes_are_refused(self, tmp_path, name):
        with pytest.raises(SessionError) as err:
            save_session(SESSIONS["plain"], tmp_path / name)
        check_error(err, tmp_path / name, ".json or .toml")
        assert files_in(tmp_path) == []
        with pytest.raises(SessionError):
            load_session(tmp_path / name)

    def test_an_editors_byte_order_mark_is_accepted(self, tmp_path):
        path = save_session(SESSIONS["nested"], tmp_path / "s.json")
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
        assert load_session(path) == SESSIONS["nested"]


CONFIGS = st.one_of(
    st.builds(lambda lr, t_max: {"name": "cosine", "params": {"lr": lr, "T_max": t_max}},
              st.floats(1e-6, 10.0), st.integers(1, 500)),
    st.builds(lambda gamma, size: {"name": "step", "params": {"gamma": gamma, "step_size": size}},
              st.floats(0.01, 1.0), st.integers(1, 50)),
    st.builds(lambda lr, first: {"name": "sequential", "params": {"lr": lr, "milestones": (first,), "schedulers": (
        {"name": "linear", "params": {"total_iters": first}}, {"name": "exponential", "params": {"gamma": 0.9}})}},
        st.floats(1e-4, 1.0), st.integers(1, 20)),
    st.just({"name": "plateau", "params": {}}),
)


@st.composite
def sessions(draw) -> Session:
    def run(epochs: int) -> RunConfig:
        return RunConfig(schedule=draw(CONFIGS), epochs=epochs, seed=draw(st.integers(0, 2**31 - 1)),
                         problem=draw(st.sampled_from(["quadratic", "rosenbrock", "ravine"])),
                         optimizer=draw(st.sampled_from(["sgd", "adam"])))
    epochs = draw(st.integers(1, 1000))
    return Session(run(epochs), tuple(run(epochs) for _ in range(draw(st.integers(0, 6)))),
                   epoch=draw(st.integers(0, epochs - 1)),
                   target_loss=draw(st.none() | st.floats(0, 1e6) | st.integers(0, 10).map(float)))


@settings(max_examples=40, deadline=None)
@given(session=sessions(), suffix=st.sampled_from([".json", ".toml"]))
def test_round_trip_property(session, suffix):
    with tempfile.TemporaryDirectory() as d:
        path = save_session(session, Path(d) / f"s{suffix}")
        assert load_session(path) == session


TOML_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


def without_none(value):
    if value is None:
        return "none"
    if isinstance(value, dict):
        return {k: without_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_none(v) for v in value]
    return value


@settings(max_examples=300)
@given(TOML_VALUES)
def test_the_toml_writer_writes_what_tomllib_reads(value):
    """Any text (quotes, backslashes, control characters, any script), key, number, nesting."""
    assert tomllib.loads(f"x = {S._toml(value)}")["x"] == without_none(value)


class TestAtomicSave:
    """An interrupted save leaves the existing file byte for byte, and no temporary file."""

    @pytest.fixture
    def existing(self, tmp_path):
        path = save_session(SESSIONS["plain"], tmp_path / "s.toml")
        return path, snapshot(path)

    def save_fails(self, existing, *words):
        path, before = existing
        with pytest.raises(SessionError) as err:
            save_session(SESSIONS["nested"], path)
        check_error(err, path, "cannot write", *words)
        assert snapshot(path) == before
        assert files_in(path.parent) == [path.name]
        assert load_session(path) == SESSIONS["plain"]

    @pytest.mark.parametrize("step, error", [
        ("replace", PermissionError(errno.EACCES, "Permission denied")),
        ("fsync", OSError(errno.EIO, "Input/output error")),
        ("chmod", OSError(errno.EPERM, "Operation not permitted")),
    ])
    def test_a_step_fails(self, existing, monkeypatch, step, error):
        monkeypatch.setattr(os, step, raising(error))
        self.save_fails(existing, error.strerror)

    def test_disk_full_midway(self, existing, monkeypatch):
        """Half the bytes go out, then ENOSPC, as on /dev/full."""
        real = tempfile.NamedTemporaryFile

        def half_then_full(*args, **kwargs):
            f = real(*args, **kwargs)
            write = f.write

            def short_write(data):
                write(data[: len(data) // 2])
                raise OSError(errno.ENOSPC, "No space left on device")

            f.write = short_write
            return f

        monkeypatch.setattr(tempfile, "NamedTemporaryFile", half_then_full)
        self.save_fails(existing, "No space left on device")

    def test_interrupt_removes_the_temporary_file_too(self, existing, monkeypatch):
        path, before = existing
        monkeypatch.setattr(os, "replace", raising(KeyboardInterrupt()))
        with pytest.raises(KeyboardInterrupt):
            save_session(SESSIONS["nested"], path)
        assert snapshot(path) == before and files_in(path.parent) == [path.name]

    def test_missing_directory(self, tmp_path):
        path = tmp_path / "nowhere" / "s.json"
        with pytest.raises(SessionError) as err:
            save_session(SESSIONS["plain"], path)
        check_error(err, path, "cannot write", "No such file or directory")

    def test_parent_is_a_file(self, tmp_path):
        (tmp_path / "file").write_text("x")
        with pytest.raises(SessionError) as err:
            save_session(SESSIONS["plain"], tmp_path / "file" / "s.json")
        check_error(err, tmp_path / "file" / "s.json", "cannot write")

    def test_target_is_a_directory(self, tmp_path):
        (tmp_path / "s.json").mkdir()
        with pytest.raises(SessionError) as err:
            save_session(SESSIONS["plain"], tmp_path / "s.json")
        check_error(err, tmp_path / "s.json", "cannot write")
        assert (tmp_path / "s.json").is_dir() and files_in(tmp_path) == ["s.json"]

    @pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes anywhere")
    def test_read_only_directory(self, tmp_path):
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        try:
            with pytest.raises(SessionError) as err:
                save_session(SESSIONS["plain"], locked / "s.json")
            check_error(err, locked / "s.json", "Permission denied")
        finally:
            locked.chmod(0o700)

    def test_permissions_new_file_usual_existing_kept(self, tmp_path):
        umask = os.umask(0o022)
        try:
            fresh = save_session(SESSIONS["plain"], tmp_path / "new.json")
            assert fresh.stat().st_mode & 0o777 == 0o644
            fresh.chmod(0o600)
            save_session(SESSIONS["nested"], fresh)
            assert fresh.stat().st_mode & 0o777 == 0o600
        finally:
            os.umask(umask)

    @pytest.mark.parametrize("bad, words", [
        (Session(RunConfig(schedule={"name": "cosine", "params": {"lr": -1}})), ("config", "lr=-1")),
        (Session(RunConfig(), epoch=100), ("epoch=100", "[0, 99]")),
        (Session(RunConfig(), pinned=(RunConfig(),) * 7), ("7 pinned runs", "at most 6")),
        (Session(RunConfig(), target_loss=-1.0), ("target_loss=-1",)),
        (Session(RunConfig(), pinned=(RunConfig(), RunConfig(optimizer="lion"))), ("pinned[1]", "lion")),
    ])
    def test_an_invalid_state_is_not_saved(self, tmp_path, bad, words):
        with pytest.raises(SessionError) as err:
            save_session(bad, tmp_path / "s.json")
        check_error(err, tmp_path / "s.json", "cannot save", *words)
        assert files_in(tmp_path) == []


def valid_text(suffix: str, name: str = "nested") -> str:
    with tempfile.TemporaryDirectory() as d:
        return save_session(SESSIONS[name], Path(d) / f"s{suffix}").read_text()


def document(**changes) -> dict:
    data = json.loads(valid_text(".json"))
    for key, value in changes.items():
        if value is ...:
            del data[key]
        else:
            data[key] = value
    return data


class TestLoadRefuses:
    """Whatever is wrong: one SessionError line naming the file, and the file as it was."""

    def refused(self, path: Path, *words: str) -> str:
        before = snapshot(path) if path.is_file() else None
        with pytest.raises(SessionError) as err:
            load_session(path)
        check_error(err, path, *words)
        if before is not None:
            assert snapshot(path) == before
        assert files_in(path.parent) == sorted([path.name] if path.exists() else [])
        return str(err.value)

    def write(self, tmp_path: Path, content, suffix: str = ".json") -> Path:
        path = tmp_path / f"s{suffix}"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
        return path

    def test_missing_file(self, tmp_path):
        self.refused(tmp_path / "s.json", "cannot read", "No such file")

    def test_directory(self, tmp_path):
        (tmp_path / "s.toml").mkdir()
        self.refused(tmp_path / "s.toml", "is a directory")

    @pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
    def test_fifo_does_not_hang(self, tmp_path):
        os.mkfifo(tmp_path / "s.json")
        self.refused(tmp_path / "s.json", "not a regular file")

    def test_huge_file_is_refused_unread(self, tmp_path, monkeypatch):
        path = self.write(tmp_path, b" " * (MAX_BYTES + 1))
        reads = spy_on_reads(monkeypatch)
        self.refused(path, f"{MAX_BYTES + 1:,} bytes")
        assert reads == []

    def test_a_file_grown_since_the_size_check_is_read_only_so_far(self, tmp_path, monkeypatch):
        path = self.write(tmp_path, b" " * (3 * MAX_BYTES))
        real = os.fstat
        monkeypatch.setattr(os, "fstat", lambda fd: SimpleNamespace(st_mode=real(fd).st_mode, st_size=10))
        reads = spy_on_reads(monkeypatch)
        self.refused(path, "more than")
        assert sum(reads) == MAX_BYTES + 1

    def test_largest_allowed_file_is_read(self, tmp_path):
        text = valid_text(".json")
        path = self.write(tmp_path, text + " " * (MAX_BYTES - len(text.encode())))
        assert path.stat().st_size == MAX_BYTES
        assert load_session(path) == SESSIONS["nested"]

    @pytest.mark.parametrize("suffix", [".json", ".toml"])
    def test_random_binary(self, tmp_path, suffix):
        path = self.write(tmp_path, random.Random(0).randbytes(4096), suffix)
        self.refused(path, "UTF-8")

    @pytest.mark.parametrize("suffix", [".json", ".toml"])
    @pytest.mark.parametrize("text", ["", "hello, world", "{", "[[[[", "lrtui_session = ", "\x00\x01",
                                      "[" * 100_000, "a = " + "[" * 100_000])
    def test_garbage_text(self, tmp_path, suffix, text):
        path = self.write(tmp_path, text, suffix)
        self.refused(path)

    @pytest.mark.parametrize("suffix", [".json", ".toml"])
    @pytest.mark.parametrize("name", ["nested", "plain"])
    def test_cut_anywhere(self, tmp_path, suffix, name):
        """A valid file cut short at any point is refused (TOML: one run a line, the pinned array last)."""
        data = valid_text(suffix, name).encode()
        path = tmp_path / f"s{suffix}"
        cuts = sorted(set(range(0, len(data) - 1, 7)) | {i for i, b in enumerate(data[:-1]) if b == ord("\n")})
        assert len(cuts) > 20
        for cut in cuts:
            path.write_bytes(data[:cut])
            self.refused(path)
        path.write_bytes(data)
        assert load_session(path) == SESSIONS[name]

    @pytest.mark.parametrize("content, words", [
        ({"a": 1}, ("not an lrtui session",)),
        ([1, 2], ("not an lrtui session",)),
        ("3", ("not an lrtui session",)),
        ({"name": "cosine", "params": {}}, ("lrtui_session",)),
    ])
    def test_foreign_json(self, tmp_path, content, words):
        self.refused(self.write(tmp_path, content), *words)

    def test_foreign_toml(self, tmp_path):
        self.refused(self.write(tmp_path, '[tool.pytest]\naddopts = "-q"\n', ".toml"), "not an lrtui session")

    @pytest.mark.parametrize("suffix", [".json", ".toml"])
    def test_newer_version(self, tmp_path, suffix):
        text = valid_text(suffix).replace("lrtui_session = 2", "lrtui_session = 3").replace(
            '"lrtui_session": 2', '"lrtui_session": 3')
        message = self.refused(self.write(tmp_path, text, suffix))
        assert "written by a newer lrtui (format 3; this one reads 2)" in message

    def test_newer_version_wins_over_keys_this_one_does_not_know(self, tmp_path):
        message = self.refused(self.write(tmp_path, {"lrtui_session": 3, "layout": {}}))
        assert "newer lrtui" in message

    @pytest.mark.parametrize("changes, words", [
        ({"lrtui_session": "1"}, ("lrtui_session must be an integer", "not text")),
        ({"lrtui_session": True}, ("lrtui_session must be an integer", "not a boolean")),
        ({"lrtui_session": 0}, ("lrtui_session=0",)),
        ({"config": [1]}, ("config must be a table", "a list")),
        ({"config": "cosine"}, ("config must be a table", "text")),
        ({"config": ...}, ("config is missing",)),
        ({"pinned": ...}, ("pinned is missing",)),
        ({"epoch": ...}, ("epoch is missing",)),
        ({"pinned": {"a": 1}}, ("pinned must be a list", "a table")),
        ({"pinned": [3]}, ("pinned[0] must be a table",)),
        ({"pinned": [{}] * 7}, ("7 pinned runs", "at most 6")),
        ({"epoch": True}, ("epoch", "integer", "a boolean")),
        ({"epoch": 3.0}, ("epoch", "integer", "a number")),
        ({"epoch": "3"}, ("epoch", "integer", "text")),
        ({"epoch": None}, ("epoch", "integer", "null")),
        ({"epoch": -1}, ("epoch=-1", "[0, 49]")),
        ({"epoch": 50}, ("epoch=50", "[0, 49]", "50 epochs")),
        ({"target_loss": "0.1"}, ("target_loss=0.1 is not allowed",)),
        ({"target_loss": True}, ("target_loss=true",)),
        ({"target_loss": -1}, ("target_loss=-1",)),
        ({"target_loss": [1]}, ("target_loss",)),
        ({"extra": 1}, ("extra is not a key of a session",)),
    ])
    def test_wrong_shapes_and_types(self, tmp_path, changes, words):
        self.refused(self.write(tmp_path, document(**changes)), *words)

    @pytest.mark.parametrize("config_changes, words", [
        ({"schedule": {"name": "cosine", "params": {"lr": -1}}}, ("config: lr=-1 is not allowed",)),
        ({"schedule": {"name": "cosinus", "params": {}}}, ("schedule cosinus is unknown", "did you mean cosine")),
        ({"schedule": "cosine"}, ("config:", "schedule spec")),
        ({"schedule": {"name": "cosine", "params": [1]}}, ("config:", '"params"')),
        ({"schedule": {"name": "cosine", "params": {"T_max": True}}}, ("T_max=true",)),
        ({"schedule": {"name": "cosine", "params": {"T_maximum": 3}}}, ("T_maximum is not a parameter of cosine",)),
        ({"schedule": {"name": "sequential", "params": {"schedulers": [{"name": "cosine", "params": {"lr": 1}}],
                                                        "milestones": []}}}, ("schedulers[0].lr",)),
        ({"problem": 5}, ("config.problem must be a name", "an integer")),
        ({"problem": "saddle_of_doom"}, ("problem=saddle_of_doom is unknown",)),
        ({"problem_params": [1]}, ("config.problem_params must be a table",)),
        ({"problem_params": {"noise": -1}}, ("problem.noise=-1",)),
        ({"optimizer_params": {"momentum": "lots"}}, ("optimizer.momentum=lots",)),
        ({"epochs": True}, ("epochs=true",)),
        ({"epochs": 0}, ("epochs=0",)),
        ({"seed": -1}, ("seed=-1",)),
        ({"colour": "red"}, ("config.colour is not a field of a run", "allowed schedule")),
    ])
    def test_invalid_configuration(self, tmp_path, config_changes, words):
        data = document()
        data["config"].update(config_changes)
        self.refused(self.write(tmp_path, data), *words)

    def test_invalid_pinned_run_is_named(self, tmp_path):
        data = document()
        data["pinned"][2]["schedule"] = {"name": "cosine", "params": {"lr": -1}}
        self.refused(self.write(tmp_path, data), "pinned[2]: lr=-1")

    def test_invalid_toml_configuration(self, tmp_path):
        text = valid_text(".toml").replace("lr = 0.2", "lr = -1")
        self.refused(self.write(tmp_path, text, ".toml"), "lr=-1")

    @staticmethod
    def deep(tmp_path: Path, depth: int) -> Path:
        spec: dict = {"name": "constant", "params": {}}
        for _ in range(depth):
            spec = {"name": "chained", "params": {"schedulers": [spec]}}
        data = document()
        data["config"]["schedule"] = spec
        path = tmp_path / "s.json"
        path.write_text(deeply(json.dumps, data))
        return path

    def test_nested_deeper_than_json_reads(self, tmp_path):
        """Refused before parsing (lrtui.io.documents), however deep."""
        self.refused(self.deep(tmp_path, 5000), "nests 15004 deep", "allowed at most 32")

    def test_nested_deeper_than_the_engine_goes(self, tmp_path):
        """A file within the document's bounds, with schedules nested deeper than a composition may hold."""
        self.refused(self.deep(tmp_path, 9), "schedulers nests schedules more than 8 deep")

    def test_a_name_with_a_newline_stays_on_one_line(self, tmp_path):
        path = tmp_path / "two\nlines.json"
        with pytest.raises(SessionError) as err:
            load_session(path)
        assert "\n" not in str(err.value)


def deeply(function, argument):
    """``function(argument)`` with room for structures deeper than the recursion limit allows."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(100_000)
    try:
        return function(argument)
    finally:
        sys.setrecursionlimit(limit)


def spy_on_reads(monkeypatch) -> list[int]:
    """Record how many bytes each read of a session file returns."""
    reads: list[int] = []
    real = os.fdopen

    class Spy:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def fileno(self):
            return self.f.fileno()

        def read(self, n=-1):
            data = self.f.read(n)
            reads.append(len(data))
            return data

    monkeypatch.setattr(os, "fdopen", lambda *args, **kwargs: Spy(real(*args, **kwargs)))
    return reads


def traces_and_labels():
    long = simulate(RunConfig(schedule={"name": "cosine", "params": {"lr": 0.1, "T_max": 20}}, epochs=20))
    short = simulate(RunConfig(schedule={"name": "constant", "params": {"lr": 5.0}}, epochs=8))  # diverges
    return [long, short], ["cosine, T_max=20", "constant lr=5"]


class TestExport:
    def test_files_and_contents(self, tmp_path):
        traces, labels = traces_and_labels()
        assert traces[1].diverged_at is not None and np.isnan(traces[1].loss).any()  # NaN after the divergence
        csv_path, json_path = export_runs(traces, labels, tmp_path)
        assert (csv_path, json_path) == (tmp_path / "lrtui-runs.csv", tmp_path / "lrtui-runs.json")
        assert files_in(tmp_path) == ["lrtui-runs.csv", "lrtui-runs.json"]

        rows = list(csv.reader(csv_path.read_text().splitlines()))
        assert rows[0] == ["epoch", "lr[cosine, T_max=20]", "loss[cosine, T_max=20]", "lr[constant lr=5]",
                           "loss[constant lr=5]"]
        assert [int(r[0]) for r in rows[1:]] == list(range(20))  # the longest run's epochs
        assert [float(r[1]) for r in rows[1:]] == traces[0].lr.tolist()  # every digit
        assert [float(r[2]) for r in rows[1:]] == traces[0].loss.tolist()
        short_loss = [r[4] for r in rows[1:]]
        assert short_loss[8:] == [""] * 12  # the shorter run has no such epochs
        assert [float(v) for v in short_loss[:8]] == pytest.approx(traces[1].loss.tolist(), nan_ok=True)
        assert "nan" in short_loss[:8]

        runs = json.loads(json_path.read_text())["runs"]
        assert [r["label"] for r in runs] == labels
        assert runs[0]["config"]["schedule"] == {"name": "cosine", "params": {"lr": 0.1, "T_max": 20}}
        assert runs[0]["config"]["epochs"] == 20 and runs[1]["epoch"] == list(range(8))
        assert runs[0]["lr"] == traces[0].lr.tolist()
        expected = [None if not math.isfinite(v) else v for v in traces[1].loss.tolist()]
        assert runs[1]["loss"] == expected and None in expected
        assert "NaN" not in json_path.read_text()

    def test_never_overwrites(self, tmp_path):
        traces, labels = traces_and_labels()
        first = export_runs(traces, labels, tmp_path)
        before = [snapshot(p) for p in first]
        assert export_runs(traces[:1], labels[:1], tmp_path) == (tmp_path / "lrtui-runs-2.csv",
                                                                 tmp_path / "lrtui-runs-2.json")
        assert [snapshot(p) for p in first] == before
        (tmp_path / "lrtui-runs-3.json").write_text("mine")  # either file taken moves both on
        assert export_runs(traces, labels, tmp_path)[0].name == "lrtui-runs-4.csv"
        assert (tmp_path / "lrtui-runs-3.json").read_text() == "mine"
        assert not (tmp_path / "lrtui-runs-3.csv").exists()

    def test_stem_and_repeated_labels(self, tmp_path):
        trace = simulate(RunConfig(epochs=3))
        csv_path, json_path = export_runs([trace, trace, trace], ["a", "a", "a (2)"], tmp_path, stem="mine")
        assert csv_path.name == "mine.csv"
        assert next(csv.reader(csv_path.read_text().splitlines()))[1::2] == ["lr[a]", "lr[a (2)]", "lr[a (2) (2)]"]
        assert [r["label"] for r in json.loads(json_path.read_text())["runs"]] == ["a", "a (2)", "a (2) (2)"]

    def test_a_failed_export_leaves_nothing(self, tmp_path, monkeypatch):
        traces, labels = traces_and_labels()
        real = os.replace

        def fail_on_json(src, dst):
            if str(dst).endswith(".json"):
                raise OSError(errno.ENOSPC, "No space left on device")
            real(src, dst)

        monkeypatch.setattr(os, "replace", fail_on_json)
        with pytest.raises(SessionError) as err:
            export_runs(traces, labels, tmp_path)
        check_error(err, tmp_path / "lrtui-runs.json", "No space left on device")
        assert files_in(tmp_path) == []

    def test_missing_directory(self, tmp_path):
        traces, labels = traces_and_labels()
        with pytest.raises(SessionError) as err:
            export_runs(traces, labels, tmp_path / "nowhere")
        check_error(err, tmp_path / "nowhere" / "lrtui-runs.csv", "No such file")

    def test_one_label_per_trace(self, tmp_path):
        traces, labels = traces_and_labels()
        with pytest.raises(ValueError):
            export_runs(traces, labels[:1], tmp_path)
        assert files_in(tmp_path) == []

    def test_range_test_traces_export_too(self, tmp_path):
        trace = simulate(RunConfig(epochs=5))
        trace = replace(trace, lr=np.array([1e-7, 1e-5, np.inf, 0.1, 1.0]))
        csv_path, json_path = export_runs([trace], ["r"], tmp_path)
        assert [row[1] for row in csv.reader(csv_path.read_text().splitlines())][1:] == [
            "1e-07", "1e-05", "inf", "0.1", "1.0"]
        assert json.loads(json_path.read_text())["runs"][0]["lr"] == [1e-7, 1e-5, None, 0.1, 1.0]


class TestWriteNew:
    def test_writes_and_never_overwrites(self, tmp_path):
        first = write_new(tmp_path, "lrtui_cosine_torch", ".py", b"print(1)\n")
        second = write_new(tmp_path, "lrtui_cosine_torch", ".py", b"print(2)\n")
        assert (first.name, second.name) == ("lrtui_cosine_torch.py", "lrtui_cosine_torch-2.py")
        assert first.read_bytes() == b"print(1)\n" and second.read_bytes() == b"print(2)\n"
        assert files_in(tmp_path) == ["lrtui_cosine_torch-2.py", "lrtui_cosine_torch.py"]

    def test_cannot_write(self, tmp_path):
        with pytest.raises(SessionError) as err:
            write_new(tmp_path / "nowhere", "code", ".py", b"")
        check_error(err, tmp_path / "nowhere" / "code.py", "cannot write", "No such file")


def test_a_session_keeps_its_note_and_refuses_a_bad_one(tmp_path):
    from lrtui.io.sessions import MAX_NOTE

    config = RunConfig(schedule={"name": "cosine", "params": {"T_max": 100}})
    for suffix in (".toml", ".json"):
        path = tmp_path / f"s{suffix}"
        save_session(Session(config, note='Exercise: "why"?\nline two'), path)
        assert load_session(path).note == 'Exercise: "why"?\nline two'
    (tmp_path / "bad.toml").write_text("lrtui_session = 1\nnote = 3\nepoch = 0\npinned = []\n"
                                       'config = {schedule = {name = "constant", params = {}}}\n')
    with pytest.raises(SessionError, match="note must be text"):
        load_session(tmp_path / "bad.toml")
    with pytest.raises(SessionError, match=f"allowed at most {MAX_NOTE:,}"):
        save_session(Session(config, note="x" * (MAX_NOTE + 1)), tmp_path / "long.toml")


def test_a_session_keeps_the_loss_plots_smoothing(tmp_path):
    config = RunConfig(schedule={"name": "cosine", "params": {"T_max": 100}})
    for suffix in (".toml", ".json"):
        path = tmp_path / f"s{suffix}"
        save_session(Session(config, smoothing="0.99"), path)
        assert load_session(path).smoothing == "0.99"
        save_session(Session(config), path)  # auto, the default, is left out
        assert "smoothing" not in path.read_text() and load_session(path).smoothing == "auto"
    base = 'lrtui_session = 1\nepoch = 0\npinned = []\nconfig = {schedule = {name = "constant", params = {}}}\n'
    (tmp_path / "hand.toml").write_text(base + "smoothing = 0.9\n")  # a number, written by hand: the choice 0.9
    assert load_session(tmp_path / "hand.toml").smoothing == "0.9"
    for bad in ("0.5", '"blur"', "true"):
        (tmp_path / "bad.toml").write_text(base + f"smoothing = {bad}\n")
        with pytest.raises(SessionError, match="smoothing") as err:
            load_session(tmp_path / "bad.toml")
        assert "off" in str(err.value) and "\n" not in str(err.value)


def test_a_key_given_twice_is_named_as_such(tmp_path):
    """A newcomer's try (issue 13): a second note line appended to a saved preset gave tomllib's 'Cannot
    overwrite a value'."""
    config = RunConfig(schedule={"name": "cosine", "params": {"T_max": 100}})
    path = save_session(Session(config, note="Preset T4"), tmp_path / "s.toml")
    path.write_text(path.read_text() + 'note = "Exercise 2"\n')
    with pytest.raises(SessionError, match=r"is not valid TOML: a key is given twice \(keep one\) \(at line"):
        load_session(path)


def test_a_free_name_after_a_numbered_one_goes_on_counting(tmp_path):
    from lrtui.io.files import free_name

    for name in ("s.toml", "s-2.toml"):
        (tmp_path / name).write_text("")
    assert free_name(tmp_path / "s.toml").name == "s-3.toml"
    assert free_name(tmp_path / "s-2.toml").name == "s-3.toml"  # not s-2-2.toml
    assert free_name(tmp_path / "s-7.toml").name == "s-7.toml"  # free: as it is
    (tmp_path / "run-1.toml").write_text("")
    assert free_name(tmp_path / "run-1.toml").name == "run-1-2.toml"  # -1 is part of the name
