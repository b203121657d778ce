"""Writing files the way Unix tools do: atomically, with the umask's mode, naming the target on error.

Every file dagcore writes (``dump``, ``render(g, path)``, the CLI's ``fmt --write``,
``convert -o``, ``analyze -o``, ...) goes through :func:`atomic_write_bytes`:

- the bytes go to a hidden temporary file in the target's folder, which is
  flushed, synced and then renamed over the target, so a reader never sees a
  half-written file;
- a new file gets the mode the umask gives (``0644`` under umask ``022``), as
  with shell redirection; an existing file keeps its mode and, where the
  process may set it, its owner (and a symbolic link
  is followed, so the file it points to is replaced, not the link);
- a folder that does not exist, or a target that is a folder, is an
  :class:`~dagcore.errors.OutputPathError` naming the target, never the
  temporary file, and nothing is created anywhere;
- when the write is interrupted (an exception, ``KeyboardInterrupt``), the
  temporary file is removed and the target is left as it was.

This module depends only on the standard library and :mod:`dagcore.errors`, so
every layer (grammar, rendering, CLI) can use it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from dagcore.errors import OutputPathError

__all__ = ["atomic_write_bytes", "atomic_write_text", "check_output_path"]

#: Mode of a new file before the umask is applied, as for ``open(path, "w")``.
_NEW_FILE_MODE = 0o666


def check_output_path(path: str | os.PathLike[str]) -> Path:
    """Check that ``path`` can be written as a file, before any work is done; return it as a :class:`~pathlib.Path`.

    The CLI calls this on every output option before running a long command,
    so that a typo in a folder name fails at once rather than after the analysis.

    Parameters
    ----------
    path : str or os.PathLike
        The file to be written.

    Returns
    -------
    pathlib.Path
        The target (a symbolic link resolved to the file it points to).

    Raises
    ------
    OutputPathError
        The folder of ``path`` does not exist or is not a folder, or ``path``
        is an existing folder. The message names ``path``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> check_output_path(folder / "report.html") == folder / "report.html"
    True
    >>> check_output_path(folder / "missing" / "report.html")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagcore.errors.OutputPathError: cannot write .../missing/report.html: the folder .../missing does not exist
    """
    target = Path(path)
    if not str(path):
        raise OutputPathError("cannot write to an empty file name")
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    folder = target.parent
    if not folder.exists():
        raise OutputPathError(f"cannot write {path}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise OutputPathError(f"cannot write {path}: {folder} is not a folder")
    if target.is_dir():
        raise OutputPathError(f"cannot write {path}: it is a folder")
    return target


def _open_temporary(target: Path) -> tuple[int, Path]:
    """Create a new hidden file beside ``target``; its mode is ``0o666`` less the umask (the kernel applies it)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, flags, _NEW_FILE_MODE), tmp
        except FileExistsError:
            continue
        except OSError as err:  # e.g. no permission to create files in the folder
            raise OutputPathError(f"cannot write {target}: {err.strerror or err}") from None
    raise OutputPathError(f"cannot write {target}: no free temporary name in {target.parent}")  # pragma: no cover


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file in the same folder, then a rename.

    A new file gets the mode the umask gives (``0644`` under umask ``022``);
    an existing file keeps its mode. An interrupted write leaves the target
    as it was and no temporary file behind.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its folder must exist.
    data : bytes
        The whole content.

    Raises
    ------
    OutputPathError
        The folder does not exist (nothing is created), is not a folder, or
        cannot be written; ``path`` is a folder; writing or renaming failed
        (disk full, read-only file system). The message names ``path``.

    Examples
    --------
    >>> import os, stat, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "out.bin"
    >>> old = os.umask(0o022)
    >>> atomic_write_bytes(p, b"\\x00\\x01")
    >>> _ = os.umask(old)
    >>> p.read_bytes(), oct(stat.S_IMODE(p.stat().st_mode))
    (b'\\x00\\x01', '0o644')
    >>> sorted(f.name for f in p.parent.iterdir())  # no temporary file left
    ['out.bin']
    """
    target = check_output_path(path)
    try:
        existing: os.stat_result | None = target.stat()
    except FileNotFoundError:
        existing = None
    existing_mode = None if existing is None else stat.S_IMODE(existing.st_mode)
    fd, tmp = _open_temporary(target)
    try:
        with os.fdopen(fd, "wb") as handle:
            if existing is not None and existing_mode is not None and hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), existing_mode)
                with contextlib.suppress(OSError):  # keeping the owner needs the right to; the mode is what matters
                    os.fchown(handle.fileno(), existing.st_uid, existing.st_gid)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if existing_mode is not None and not hasattr(os, "fchmod"):  # pragma: no cover - Windows
            os.chmod(tmp, existing_mode)
        os.replace(tmp, target)
    except OSError as err:  # disk full, read-only file system, ...: name the target, never the temporary file
        tmp.unlink(missing_ok=True)
        raise OutputPathError(f"cannot write {path}: {err.strerror or err}") from err
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` atomically, encoded as ``encoding`` with ``\\n`` line ends.

    The same guarantees as :func:`atomic_write_bytes` (which it calls).

    Parameters
    ----------
    path : str or os.PathLike
        The file to write; its folder must exist.
    text : str
        The whole content; newlines are written as ``\\n`` on every platform.
    encoding : str
        The text encoding (UTF-8 by default).

    Raises
    ------
    OutputPathError
        Its folder is missing, not a folder or not writable, or ``path`` is
        a folder; nothing is created.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "m.dag"
    >>> atomic_write_text(p, "dag {\\n  A -> B\\n}\\n")
    >>> p.read_text()
    'dag {\\n  A -> B\\n}\\n'
    >>> atomic_write_text(p.parent / "no" / "m.dag", "")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    dagcore.errors.OutputPathError: cannot write .../no/m.dag: the folder .../no does not exist
    """
    atomic_write_bytes(path, text.encode(encoding))
