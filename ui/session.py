"""Where this browser session's uploads live: a private folder removed with the session (or a shared library)."""
from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import uuid
import weakref
from pathlib import Path

import streamlit as st

from retrieval import userdocs

_private_root: Path | None = None     # this process's own sessions root when the shared name is not safe to use


class SessionFolder:
    """A browser session's upload folder; removed when Streamlit forgets the session (this object is collected,
    about server.disconnectedSessionTTL = 2 minutes after the tab closes), else by prune_sessions after
    SESSION_TTL_SECONDS without activity."""

    def __init__(self) -> None:
        """Make the folder and arrange for its removal."""
        self.id = uuid.uuid4().hex
        self.root = sessions_root()
        self.path = userdocs.session_dir(self.id, self.root)
        weakref.finalize(self, shutil.rmtree, str(self.path), True)


def sessions_root() -> Path:
    """Return the folder of session folders: the usual one if it is a real folder of ours, closed to others;
    else (made by another user, a link, open to all) a new private folder of this process."""
    global _private_root
    root = userdocs.sessions_root()
    if not hasattr(os, "getuid"):                       # no owners to compare (Windows): the usual folder
        return root
    with contextlib.suppress(OSError):
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = os.lstat(root)
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid():
            if info.st_mode & 0o077:                    # ours but opened to others: closed again before use
                os.chmod(root, 0o700)
            return root
    if _private_root is None or not _private_root.is_dir():
        _private_root = Path(tempfile.mkdtemp(prefix=f"{userdocs.SESSIONS}-"))   # 0700, a name no one can guess
    return _private_root


def uploads_dir() -> Path:
    """Return the folder uploads go to: the shared library when KUTIP_SHARED_LIBRARY=1, else this session's own."""
    if userdocs.shared_library():
        return userdocs.user_docs_dir()
    folder = st.session_state.get("_session_folder")
    if folder is None or not folder.path.is_dir():
        folder = SessionFolder()
        st.session_state["_session_folder"] = folder
        userdocs.prune_sessions(folder.root, keep=folder.id)
    else:
        with contextlib.suppress(OSError):      # in use: the time limit counts from the last activity
            os.utime(folder.path)
    return folder.path
