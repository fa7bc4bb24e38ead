"""Making frozen dataclasses fast on the hot path.

A ``@dataclass(frozen=True, slots=True)`` sets each field in ``__init__`` through
``object.__setattr__`` (its own ``__setattr__`` refuses): for the 21 fields of a
:class:`~pyqueue.models.task.Task` that is 3.5 µs here, against 0.5 µs for plain attribute
stores, and a claim and an end make a Task each for every task run.

So the few constructors on that path fill in a *draft* instead: an instance of a class with the
same slots and no ``__setattr__`` of its own (:func:`draft_class`). Once every field is stored the
draft is given the frozen class (``draft.__class__ = cls``, which Python allows between classes of
the same layout): it is a complete, frozen instance before anyone else sees it, equal to what the
constructor makes (each builder's test checks that, for every field).
"""

from __future__ import annotations

import dataclasses


def draft_class(cls: type) -> type:
    """A class with the slots of ``cls``, a frozen dataclass with ``slots=True`` whose fields are
    all set by ``__init__`` and which has no base class and no ``__post_init__`` (so that filling
    in its slots is all its constructor does)."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen:
        raise TypeError(f"{cls.__name__} is not a frozen dataclass")
    fields = dataclasses.fields(cls)
    names = tuple(field.name for field in fields)
    if tuple(getattr(cls, "__slots__", ())) != names or cls.__bases__ != (object,):
        raise TypeError(f"{cls.__name__} needs slots=True, exactly its fields, and no base class")
    if hasattr(cls, "__post_init__") or not all(field.init for field in fields):
        raise TypeError(f"{cls.__name__} has a __post_init__ or a field outside __init__")
    return type(f"{cls.__name__}Draft", (), {"__slots__": names, "__module__": cls.__module__})
