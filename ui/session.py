"""Where this browser session's uploads live: a private folder removed with the session (or a shared library)."""
from __future__ import annotations

import contextlib
import os
import shutil
import uuid
import weakref
from pathlib import Path

import streamlit as st

from retrieval import userdocs


class SessionFolder:
    """A browser session's upload folder; removed when Streamlit forgets the session (this object is collected,
    about server.disconnectedSessionTTL = 2 minutes after the tab closes), else by prune_sessions after
    SESSION_TTL_SECONDS without activity."""

    def __init__(self) -> None:
        """Make the folder and arrange for its removal."""
        self.id = uuid.uuid4().hex
        self.path = userdocs.session_dir(self.id)
        weakref.finalize(self, shutil.rmtree, str(self.path), True)


def uploads_dir() -> Path:
    """Return the folder uploads go to: the shared library when KUTIP_SHARED_LIBRARY=1, else this session's own."""
    if userdocs.shared_library():
        return userdocs.user_docs_dir()
    folder = st.session_state.get("_session_folder")
    if folder is None or not folder.path.is_dir():
        folder = SessionFolder()
        st.session_state["_session_folder"] = folder
        userdocs.prune_sessions(keep=folder.id)
    else:
        with contextlib.suppress(OSError):      # in use: the time limit counts from the last activity
            os.utime(folder.path)
    return folder.path
