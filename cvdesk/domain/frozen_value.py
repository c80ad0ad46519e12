"""FrozenValue: what a frozen dataclass gives (equality, hash, repr, a changed copy, no attribute set after __init__)
to the small classes loaded before the window's first paint, where defining a dataclass costs about a millisecond
each at every start (benchmarks/results.md)."""
from __future__ import annotations

from typing import Any, TypeVar

V = TypeVar("V", bound="FrozenValue")


class FrozenValue:
    """A base for classes whose __slots__ name their fields in the order their __init__ takes them (after their
    bases' fields, for a subclass); __init__ sets them through object.__setattr__ (frozen_init does), as a frozen
    dataclass's does."""

    __slots__: tuple[str, ...] = ()
    # Every field, the bases' first (a subclass's __slots__ names only its own): made by __init_subclass__.
    _fields: tuple[str, ...] = ()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._fields = tuple(name for klass in reversed(cls.__mro__) for name in klass.__dict__.get("__slots__", ()))

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({fields})"

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"cannot assign to field {name!r} of a frozen {type(self).__name__}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field {name!r} of a frozen {type(self).__name__}")

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled and copied by its fields, as __init__ takes them (the default would set slots one by one).
        return (type(self), self._values())

    def replace(self: V, **changes: Any) -> V:
        """A copy with these fields changed (dataclasses.replace)."""
        unknown = set(changes) - set(self._fields)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {', '.join(sorted(unknown))}")
        copy = object.__new__(type(self))
        for name in self._fields:
            object.__setattr__(copy, name, changes[name] if name in changes else getattr(self, name))
        return copy


def frozen_init(value: FrozenValue, *values: Any) -> None:
    """Set value's fields, in the order of its __slots__ (its bases' first), to values (from its __init__)."""
    for name, field_value in zip(value._fields, values, strict=True):
        object.__setattr__(value, name, field_value)
