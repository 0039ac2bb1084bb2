"""Writing files whole or not at all.

Every file the library writes for a user (a rendered table, a snapshot, a cache entry)
goes through :func:`atomic_write_text`: the text is written to a temporary file in the
same directory, flushed to disk, then renamed over the target. A crash or an error while
rendering leaves the old file (or no file), never half of a new one.

When the write fails, the ``OSError`` raised names the user's path (never the temporary
file's), keeps its ``errno``, and says what to do and that nothing was written: a missing
folder, a full disk, a read-only place each get their own advice. Callers that treat a
failed cache write as a warning still catch ``OSError``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from evidence.errors import OutputError, SourceLocation

__all__ = ["atomic_write_bytes", "atomic_write_text", "refuse_overwriting_inputs"]


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically (same-directory temp file + ``os.replace``)."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as error:
        raise _explained(error, target) from error
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file owner-only; give it the mode an ordinary write would
        # (the existing file's, else what the umask allows), so docs hosts can read it.
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(error, OSError):
            raise _explained(error, target) from error
        raise


_ADVICE = {
    errno.ENOENT: "the folder {folder} does not exist: create it or choose another path",
    errno.ENOTDIR: "{folder} is not a folder: choose another path",
    errno.ENOSPC: "the disk is full: free some space or write somewhere else",
    errno.EDQUOT: "the disk quota is used up: free some space or write somewhere else",
    errno.EACCES: "no permission to write in {folder}: choose another path",
    errno.EPERM: "no permission to write in {folder}: choose another path",
    errno.EROFS: "{folder} is on a read-only file system: choose another path",
    errno.EISDIR: "it is a folder: give a file name",
}


def _explained(error: OSError, target: Path) -> OSError:
    """``error`` about ``target`` itself, with advice; the temporary file is not named."""
    folder = str(target.parent) if str(target.parent) not in ("", ".") else "this folder"
    advice = _ADVICE.get(error.errno or 0)
    reason = advice.format(folder=repr(folder)) if advice else (error.strerror or str(error))
    return OSError(
        error.errno, f"cannot write the file: {reason}; nothing was written", str(target)
    )


def refuse_overwriting_inputs(
    output: str | os.PathLike[str], inputs: Mapping[str, str | os.PathLike[str] | None]
) -> None:
    """Raise :class:`~evidence.errors.OutputError` when ``output`` is (or links to) one
    of ``inputs``.

    ``inputs`` maps a description ("the claims file") to a path (``None`` entries are
    skipped). Checked before anything runs, so a command never overwrites what it reads.
    """
    out = Path(output)
    for what, given in inputs.items():
        if given is None:
            continue
        source = Path(given)
        same = os.path.realpath(out) == os.path.realpath(source)
        if not same and out.exists() and source.exists():
            with contextlib.suppress(OSError):
                same = out.samefile(source)
        if same:
            raise OutputError(
                f"this is also {what}: writing there would overwrite it; choose another "
                "output path (nothing was written)",
                location=SourceLocation(os.fspath(output)),
            )


def _mode_for(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``text`` atomically; see :func:`atomic_write_bytes`."""
    atomic_write_bytes(path, text.encode(encoding))
