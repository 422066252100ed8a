"""Checkpoints: a model's state dict in one ``.npz`` file, written atomically and read without pickle.

``nn.save(model, path)`` writes the arrays of ``model.state_dict()`` (or of a dict of arrays) to a
temporary file in the same directory and renames it over ``path`` with ``os.replace``, so a crash
mid-write leaves the previous checkpoint intact, never half a file. The file is a plain numpy
``.npz`` archive (one ``.npy`` per key; ``numpy.load`` can read it); ``path`` is used as given.

``nn.load_state(path)`` reads it back with ``allow_pickle=False``: a missing, truncated or
otherwise unreadable file raises an error naming the file (and the key, when one key is bad). The
result remembers its file, so ``model.load_state_dict(nn.load_state(path))`` names the file and the
first bad key when the checkpoint does not fit the model.
"""
from __future__ import annotations

import os
import tempfile
import zipfile
from typing import Mapping, Optional, Union

import numpy as np

from .module import Module, StateDictError

PathLike = Union[str, "os.PathLike[str]"]


class CheckpointError(StateDictError):
    """A checkpoint file could not be read (truncated, not an ``.npz`` archive, or holding non-numbers)."""


class StateDict(dict):
    """A state dict read from a file; ``source`` names the file in load errors."""

    source: Optional[str] = None


def save(model: Union[Module, Mapping[str, np.ndarray]], path: PathLike) -> None:
    """Write ``model.state_dict()`` (or a mapping of arrays) to ``path`` as ``.npz``, atomically."""
    if not isinstance(model, (Module, Mapping)):
        raise TypeError(f"save: expected a model or a state dict, got {type(model).__name__}. "
                        "Fix: nn.save(model, path) or nn.save(model.state_dict(), path).")
    state = model.state_dict() if isinstance(model, Module) else dict(model)
    arrays = {key: np.asarray(value) for key, value in state.items()}
    for key, array in arrays.items():
        if array.dtype == object:
            raise TypeError(f"save: key {key!r} holds Python objects, not numbers; checkpoints hold numeric arrays only.")
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise IsADirectoryError(21, f"save: {path!r} is a directory; give a file name such as "
                                    f"{os.path.join(path, 'model.npz')!r}", path)
    if not os.path.isdir(directory):
        raise FileNotFoundError(2, f"save: the directory {directory!r} does not exist; create it first "
                                   "(os.makedirs(directory, exist_ok=True)) or save elsewhere", path)
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=directory)
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **arrays)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def load_state(path: PathLike) -> StateDict:
    """Read a checkpoint written by ``save``: a dict of numpy arrays, in the order they were saved."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(2, f"no checkpoint at {path!r}; check the path (nn.save(model, path) writes one)", path)
    state = StateDict()
    state.source = path
    if os.path.isfile(path) and not zipfile.is_zipfile(path) and not _is_npy(path):
        raise CheckpointError(f"cannot read checkpoint {path!r}: not a complete .npz archive (no zip directory at its "
                              "end). It may be truncated or not a checkpoint; save it again with nn.save.")
    try:
        archive = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
        raise CheckpointError(f"cannot read checkpoint {path!r}: not a complete .npz archive ({error}). "
                              "It may be truncated or not a checkpoint; save it again with nn.save.") from error
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise CheckpointError(f"cannot read checkpoint {path!r}: it holds a single array, not a state dict "
                              "(.npz); save the model with nn.save(model, path).")
    with archive:
        for key in archive.files:
            try:
                state[key] = archive[key]
            except ValueError as error:  # allow_pickle=False refuses an entry of Python objects
                if "allow_pickle" not in str(error):
                    raise CheckpointError(f"cannot read key {key!r} of checkpoint {path!r} ({error}); the file is "
                                          "damaged, save it again with nn.save.") from error
                raise CheckpointError(f"cannot read key {key!r} of checkpoint {path!r}: it holds pickled Python "
                                      "objects, which checkpoints never load (unpickling runs code). Save numeric "
                                      "arrays only, e.g. nn.save(model, path).") from error
            except Exception as error:  # zlib, zipfile and format errors: name the key
                raise CheckpointError(f"cannot read key {key!r} of checkpoint {path!r} ({type(error).__name__}: "
                                      f"{error}); the file is damaged, save it again with nn.save.") from error
    return state


def _is_npy(path: str) -> bool:
    """Whether the file starts with the ``.npy`` magic (a single saved array, refused below by name)."""
    with open(path, "rb") as file:
        return file.read(6) == b"\x93NUMPY"
