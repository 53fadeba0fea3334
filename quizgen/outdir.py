"""The output folder as one unit: a run's files are staged beside --out, then swapped in.

For `--out DIR` (symlinks resolved) a run, holding an exclusive lock on `.DIR.quizgen-lock`
beside DIR:

1. removes what interrupted runs left beside DIR (`.DIR.quizgen-new-*`, `.DIR.quizgen-old-*`);
2. checks DIR holds only files quizgen writes (else: an error, nothing changed);
3. writes every file into a new folder `.DIR.quizgen-new-XXXXXXXX` beside DIR (same file
   system), each flushed to disk (fsync), with the user's umask;
4. swaps the two folders in one step (Linux renameat2 RENAME_EXCHANGE): DIR is now the
   new folder and the staging name holds the old one;
5. removes the old folder, then lets the lock go.

What a reader of DIR sees at every instant: before step 4 the previous run's complete
folder, from step 4 on this run's complete folder — never a mix and never a half file.
Killed anywhere (kill -9 included), DIR is one of the two complete sets and the next run
removes the staging or old folder in step 1. On a file system without RENAME_EXCHANGE
the swap is two renames (DIR → `.DIR.quizgen-old-*`, staging → DIR): between them, for a
moment, DIR does not exist (a reader finds nothing rather than a mix); killed exactly
there, DIR stays missing until the next run, whose step 1 removes the old copy.

Concurrent runs into one DIR take turns at the lock (it is held only while the files are
written, milliseconds; a run waits up to 30 s, saying so, and then gives up with an
error). The lock file itself stays, empty, beside DIR.

A folder quizgen did not make is never replaced: DIR may hold only the file names
quizgen writes (of any earlier run), files left by older versions' interrupted writes
(`.quiz.json.XXXXXXXX.tmp`) and desktop clutter (.DS_Store, Thumbs.db, desktop.ini).
Anything else — a notes.txt, a folder named quiz.json — is an error naming it.

For tests only (tests/test_output_folder.py): QUIZGEN_TEST_PAUSE stops a run at the points
"writing", "staged", "moved-away" and "swapped" (see workers.pause), QUIZGEN_TEST_NO_EXCHANGE
forces the two-rename swap, QUIZGEN_TEST_LOCK_WAIT shortens the wait for the lock.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import shutil
import stat
import sys
import time
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from quizgen.errors import InputError, QuizgenError
from quizgen.workers import pause

LOCK_WAIT = 30.0  # seconds a run waits for another run writing the same --out
_CLUTTER = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
_OLD_TEMP = re.compile(r"\.(?P<name>.+)\.[a-z0-9_]{8}\.tmp\Z")  # what write_files left before the swap
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _stem(out: Path) -> str:
    """The name used for the lock and staging entries beside `out` (hashed if very long)."""
    name = out.name
    return name if len(os.fsencode(name)) <= 120 else hashlib.sha256(os.fsencode(name)).hexdigest()[:24]


def _lock_path(out: Path) -> Path:
    return out.parent / f".{_stem(out)}.quizgen-lock"


def _leftover(out: Path) -> re.Pattern[str]:
    return re.compile(rf"\.{re.escape(_stem(out))}\.quizgen-(?:new|old)-[0-9a-f]{{8}}\Z")


def _resolve(out: Path) -> Path:
    try:
        return out.expanduser().resolve()
    except (OSError, RuntimeError) as exc:  # a symlink loop
        raise InputError(f"cannot follow the path ({exc})", field="out", value=str(out)) from None


def _foreign(folder: Path, known: Collection[str], dirs: re.Pattern[str] | None = None) -> list[str]:
    """Entries of `folder` quizgen did not write (directories shown with a trailing /).

    `dirs` matches the names of the folders quizgen writes there (a class set's versions).
    """
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if entry.is_dir(follow_symlinks=False):
                if dirs is None or not dirs.match(name):
                    found.append(name + "/")
                continue
            old_temp = _OLD_TEMP.match(name)
            if name in known or name in _CLUTTER or (old_temp is not None and old_temp["name"] in known):
                continue
            found.append(name)
    return sorted(found)


def _check_replaceable(out: Path, shown: Path, known: Collection[str], dirs: re.Pattern[str] | None = None) -> None:
    """An InputError unless `out` is missing, or a folder holding only what quizgen writes."""
    try:
        st = out.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(f"cannot read it ({exc.strerror})", field="out", value=str(shown)) from None
    if not stat.S_ISDIR(st.st_mode):
        raise InputError("is a file, not a folder", field="out", value=str(shown))
    try:
        foreign = _foreign(out, known, dirs)
    except OSError as exc:
        raise InputError(f"cannot list the folder ({exc.strerror})", field="out", value=str(shown)) from None
    if foreign:
        listed = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise InputError(
            f"holds files or folders quizgen did not write ({listed}); quizgen replaces the whole "
            "folder, so choose a new or empty folder, or move them out",
            field="out",
            value=str(shown),
        )


def check_out(out: Path, known: Collection[str], dirs: re.Pattern[str] | None = None) -> Path:
    """Before any work: can `out` take a run's files? The resolved path, or an InputError.

    Nothing is created here; write_folder checks the folder again under its lock.
    """
    real = _resolve(out)
    if real == Path(real.anchor) or os.path.ismount(real):
        raise InputError(
            "is a mount point; quizgen swaps a whole folder in and out, which cannot be "
            f"done to a mount point: use a folder inside it (e.g. {out / 'quiz'})",
            field="out",
            value=str(out),
        )
    try:
        here = Path.cwd().resolve()
    except OSError:
        here = None
    if here is not None and (here == real or real in here.parents):
        raise InputError(
            "is the current folder (or holds it); quizgen replaces the whole folder, so "
            "run it from outside the folder",
            field="out",
            value=str(out),
        )
    _check_replaceable(real, out, known, dirs)
    ancestor = real.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir() or not os.access(ancestor, os.W_OK | os.X_OK):
        raise InputError(
            f"cannot write in {ancestor} (quizgen writes the new folder beside it, "
            "then swaps it in)",
            field="out",
            value=str(out),
        )
    return real


@contextmanager
def _locked(out: Path, shown: Path, wait: float) -> Iterator[None]:
    """Hold the exclusive lock of `out` (a file beside it); wait up to `wait` seconds for it."""
    import fcntl

    lock = _lock_path(out)
    try:  # never through a symlink: one planted there made quizgen (run as root) create any empty file
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK, 0o666)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"the lock file {lock} is a symbolic link: remove it (quizgen makes it as a plain file)",
                             field="out", value=str(shown)) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise InputError(f"the lock file {lock} is not a plain file: remove it (quizgen makes it as a plain file)",
                         field="out", value=str(shown))
    try:
        deadline = time.monotonic() + wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise QuizgenError(
                        f"--out {shown}: another quizgen run has been writing there for {wait:g} s "
                        f"(it holds {_lock_path(out)}); nothing was changed, try again when it has finished"
                    ) from None
                if not told:
                    print(f"quizgen: waiting for another run to finish writing {shown} …", file=sys.stderr)
                    told = True
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing lets the lock go


def _remove(path: Path) -> None:
    """Remove a leftover file or folder; whatever cannot be removed now is tried again next run."""
    try:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()
    except OSError:
        pass


def remove(path: Path) -> None:
    """Remove a file or folder, ignoring what cannot be removed."""
    _remove(path)


def write_file(path: Path, data: bytes) -> None:
    """A new file holding `data`, flushed to disk (for a folder being staged)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    with open(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries to disk."""
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _new_name(out: Path, kind: str) -> Path:
    return out.parent / f".{_stem(out)}.quizgen-{kind}-{secrets.token_hex(4)}"


def _stage(out: Path, files: Mapping[str, bytes]) -> Path:
    """A new folder beside `out` holding every file, all on disk; the old folder's mode if it had one."""
    while True:
        staging = _new_name(out, "new")
        try:
            os.mkdir(staging, 0o777)  # the umask applies
            break
        except FileExistsError:
            continue
    try:
        for n, (name, data) in enumerate(files.items()):
            fd = os.open(staging / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
            with open(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            if n == 0:
                pause("writing")
        try:
            os.chmod(staging, stat.S_IMODE(out.stat().st_mode))
        except FileNotFoundError:
            pass
        _fsync_dir(staging)
    except BaseException:
        _remove(staging)
        raise
    return staging


def _exchange(a: Path, b: Path) -> None:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); OSError ENOSYS where missing."""
    if not sys.platform.startswith("linux") or os.environ.get("QUIZGEN_TEST_NO_EXCHANGE"):
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "renameat2 is not available")
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(b))


def _swap(staging: Path, out: Path) -> Path | None:
    """Put `staging` at `out`; the path now holding the old folder (to remove), or None."""
    if not os.path.lexists(out):
        os.rename(staging, out)
        return None
    try:
        _exchange(staging, out)
        return staging
    except OSError as exc:
        if exc.errno not in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.ENOTSUP):
            raise
    old = _new_name(out, "old")
    os.rename(out, old)
    try:
        pause("moved-away")
        os.rename(staging, out)
    except BaseException:
        try:
            os.rename(old, out)
        except OSError:
            pass
        raise
    return old


def write_folder(out: Path, files: Mapping[str, bytes], known: Collection[str], *,
                 lock_wait: float | None = None) -> list[Path]:
    """Replace the folder `out` by one holding exactly `files`, as one unit (see the module's text).

    `known` names every file quizgen may write (earlier runs' files are replaced). Raises
    InputError when `out` cannot take the files (nothing changed), QuizgenError when
    another run holds the lock too long.
    """
    unknown = sorted(set(files) - set(known))
    if unknown:
        raise ValueError(f"not among the known output names: {unknown}")
    shown = out
    out = check_out(out, known)
    if lock_wait is None:
        lock_wait = float(os.environ.get("QUIZGEN_TEST_LOCK_WAIT", LOCK_WAIT))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with _locked(out, shown, lock_wait):
            leftover = _leftover(out)
            for entry in os.listdir(out.parent):
                if leftover.match(entry):
                    _remove(out.parent / entry)
            _check_replaceable(out, shown, known)
            staging = _stage(out, files)
            try:
                pause("staged")
                old = _swap(staging, out)
            except BaseException:
                _remove(staging)
                raise
            try:  # from here on the new set is in place: nothing below may report "not changed"
                _fsync_dir(out.parent)
            except OSError:
                pass
            pause("swapped")
            if old is not None:
                _remove(old)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError(f"cannot write ({reason}); the folder was not changed", field="out", value=str(shown)) from None
    return [out / name for name in files]


@contextmanager
def staged(out: Path, known: Collection[str], dirs: re.Pattern[str] | None = None, *,
           lock_wait: float | None = None, resume_key: str | None = None) -> Iterator[Path]:
    """Write a run's files into the yielded staging folder; on leaving, swap it in for `out`.

    For runs that write as they go (a class set: a folder per version). The lock is held
    for the whole run; if the body raises, the staging folder is removed and `out` is left
    as it was. With `resume_key` (hex), Ctrl-C (KeyboardInterrupt) keeps the staging folder
    instead, beside `out` as `.OUT.quizgen-part-KEY`, and the next run with the same key
    starts from it (the caller decides what in it is complete); parts with other keys are
    removed. `dirs` matches the sub-folders quizgen writes into `out`.
    """
    shown = out
    out = check_out(out, known, dirs)
    if lock_wait is None:
        lock_wait = float(os.environ.get("QUIZGEN_TEST_LOCK_WAIT", LOCK_WAIT))
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        lock = _locked(out, shown, lock_wait)
        lock.__enter__()
    except OSError as exc:
        raise InputError(f"cannot write ({exc.strerror or exc}); the folder was not changed", field="out",
                         value=str(shown)) from None
    try:
        leftover = _leftover(out)
        part = re.compile(rf"\.{re.escape(_stem(out))}\.quizgen-part-[0-9a-f]+\Z")
        kept = out.parent / f".{_stem(out)}.quizgen-part-{resume_key}" if resume_key else None
        for entry in os.listdir(out.parent):
            if leftover.match(entry) or (part.match(entry) and (kept is None or entry != kept.name)):
                _remove(out.parent / entry)
        _check_replaceable(out, shown, known, dirs)
        if kept is not None and kept.is_dir() and not kept.is_symlink():
            staging = _new_name(out, "new")
            os.rename(kept, staging)
        else:
            staging = _stage(out, {})
        try:
            yield staging
            try:
                os.chmod(staging, stat.S_IMODE(out.stat().st_mode))
            except FileNotFoundError:
                pass
            _fsync_dir(staging)
            pause("staged")
            old = _swap(staging, out)
        except OSError as exc:
            _remove(staging)
            raise InputError(f"cannot write ({exc.strerror or exc}); the folder was not changed", field="out",
                             value=str(shown)) from None
        except KeyboardInterrupt:
            if kept is not None:
                try:
                    os.rename(staging, kept)
                except OSError:
                    _remove(staging)
            else:
                _remove(staging)
            raise
        except BaseException:
            _remove(staging)
            raise
        try:
            _fsync_dir(out.parent)
        except OSError:
            pass
        pause("swapped")
        if old is not None:
            _remove(old)
    finally:
        lock.__exit__(None, None, None)
