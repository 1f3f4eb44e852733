"""ui/session.py: a sessions folder made by someone else, a link, or open to all is never where uploads go."""
from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

from retrieval import userdocs
from ui import session

NOBODY = 65534           # the conventional uid of "nobody": another local user


@pytest.fixture
def tmp_root(tmp_path, monkeypatch) -> Path:
    """Point the system temp dir at tmp_path and forget any private root made before; return the usual root."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(session, "_private_root", None, raising=False)
    return tmp_path / userdocs.SESSIONS


def closed_and_ours(path: Path) -> bool:
    info = os.lstat(path)
    return stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) == 0o700


def test_a_folder_of_ours_left_open_to_all_is_closed_before_use(tmp_root):
    tmp_root.mkdir()
    os.chmod(tmp_root, 0o777)
    folder = session.SessionFolder()
    assert folder.path.parent == tmp_root and closed_and_ours(tmp_root) and closed_and_ours(folder.path)


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="giving a folder to another user needs root")
def test_a_folder_made_by_another_user_is_not_used(tmp_root):
    tmp_root.mkdir()
    os.chmod(tmp_root, 0o777)
    os.chown(tmp_root, NOBODY, NOBODY)
    folder = session.SessionFolder()
    assert folder.path.parent != tmp_root and closed_and_ours(folder.path.parent) and closed_and_ours(folder.path)
    assert list(tmp_root.iterdir()) == [] and stat.S_IMODE(os.lstat(tmp_root).st_mode) == 0o777
    assert session.SessionFolder().path.parent == folder.path.parent        # one private root per process


def test_a_link_in_its_place_is_not_followed(tmp_root, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o700)
    tmp_root.symlink_to(elsewhere)
    folder = session.SessionFolder()
    assert folder.path.parent != tmp_root and closed_and_ours(folder.path.parent)
    assert list(elsewhere.iterdir()) == []
