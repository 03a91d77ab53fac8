"""A faster stand-in for ask-sdk's `DefaultSerializer`, used by this skill's entry only.

The SDK's serializer resolves every type name (a string such as
``'ask_sdk_model.request_envelope.RequestEnvelope'`` or ``'list[...]'``) with a regular
expression or ``__import__`` on every value, rebuilds each class's attribute map on every
object, and parses timestamps with dateutil. Profiled on this skill's turns, that was about half
of a warm turn. `FastSerializer` gives the same objects for the same JSON:

- each type name is resolved once into a reader function, kept per type name;
- timestamps in Alexa's shape (ISO 8601, ``2026-11-24T08:30:00Z``) are read with
  ``datetime.fromisoformat``; anything else goes the SDK's way, through dateutil;
- the attribute map of each model class is built once.

Anything unusual (a model whose JSON is not an object, a list of several types) goes through the
SDK's own code, so behaviour on odd input is the SDK's. Nothing inside the SDK is changed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from typing import Any

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer

Reader = Callable[[Any], Any]
_ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")  # Alexa's shape; others go the SDK's way


def _inside(name: str, opening: str, closing: str) -> str | None:
    """What "list[X]" or "dict(K, V)" holds (up to the last closing mark), or None."""
    end = name.rfind(closing)
    return name[len(opening) : end] if name.startswith(opening) and end >= len(opening) else None


class FastSerializer(DefaultSerializer):
    def __init__(self) -> None:
        self._readers: dict[Any, Reader] = {}
        self._fields: dict[type, tuple[tuple[str, str], ...]] = {}

    def deserialize(self, payload: str | None, obj_type: Any) -> Any:
        if payload is None:
            return None
        try:
            data = json.loads(payload)
        except Exception as error:
            raise SerializationException(f"Couldn't parse response body: {payload}") from error
        return self.read(data, obj_type)

    def read(self, data: Any, obj_type: Any) -> Any:
        """The SDK objects for already-parsed JSON data (no JSON text round trip). Any error
        inside becomes SerializationException, as the SDK reports them (caught here once, not
        around every object: the message is the innermost error's either way)."""
        if data is None:
            return None
        try:
            return self._reader(obj_type)(data)
        except SerializationException:
            raise
        except Exception as error:
            raise SerializationException(str(error)) from error

    def serialize(self, obj: Any) -> Any:
        if obj is None or isinstance(obj, str | int | float | bytes):  # bool is an int
            return obj
        if isinstance(obj, list):
            return [self.serialize(item) for item in obj]
        if isinstance(obj, dict):
            return {key: self.serialize(value) for key, value in obj.items()}
        fields = self._fields.get(type(obj))
        if fields is None:
            if not hasattr(obj, "deserialized_types"):
                return super().serialize(obj)  # tuples, dates, enums, decimals
            fields = self._fields[type(obj)] = _fields_of(type(obj))
        result = {}
        for attribute, key in fields:
            value = getattr(obj, attribute)
            if value is not None:
                result[key] = self.serialize(value)
        return result

    def _reader(self, obj_type: Any) -> Reader:
        reader = self._readers.get(obj_type)
        if reader is None:
            reader = self._readers[obj_type] = self._make_reader(obj_type)
        return reader

    def _make_reader(self, obj_type: Any) -> Reader:
        if isinstance(obj_type, str):
            return self._reader_for_name(obj_type)
        if obj_type in (str, int, float, bool, bytes):
            return _primitive_reader(obj_type)
        if obj_type is object:
            return _as_is
        if obj_type is datetime:
            return self._datetime_reader(obj_type)
        if obj_type is date:
            return self._datetime_reader(obj_type)
        if isinstance(obj_type, type) and issubclass(obj_type, Enum):
            return _enum_reader(obj_type)
        if hasattr(obj_type, "deserialized_types"):
            return self._model_reader(obj_type)
        return _as_is

    def _reader_for_name(self, name: str) -> Reader:
        listed = _inside(name, "list[", "]")
        if listed is not None and "," not in listed:
            item_type = listed.strip()

            def read_list(data: Any) -> list[Any]:
                item_reader = self._reader(item_type)
                return [None if item is None else item_reader(item) for item in data]

            return read_list
        key_type, comma, value_type = (_inside(name, "dict(", ")") or "").partition(", ")
        if comma and "," not in key_type:

            def read_dict(data: Any) -> dict[Any, Any]:
                value_reader = self._reader(value_type)
                return {k: None if v is None else value_reader(v) for k, v in data.items()}

            return read_dict
        if name.startswith(("list[", "dict(")):
            return self._sdk_reader(name)
        if name in self.NATIVE_TYPES_MAPPING:
            return self._reader(self.NATIVE_TYPES_MAPPING[name])
        return self._reader(self._DefaultSerializer__load_class_from_name(name))

    def _sdk_reader(self, obj_type: Any) -> Reader:
        sdk = self._DefaultSerializer__deserialize
        return lambda data: sdk(data, obj_type)

    def _datetime_reader(self, obj_type: type) -> Reader:
        by_sdk = self._sdk_reader(obj_type)

        def read(data: Any) -> Any:
            if not isinstance(data, str) or not _ISO_TIME.match(data):
                return by_sdk(data)  # dateutil reads more shapes; errors as the SDK raises them
            try:
                parsed = datetime.fromisoformat(data)
            except ValueError:
                return by_sdk(data)
            return parsed.date() if obj_type is date else parsed

        return read

    def _model_reader(self, model: type) -> Reader:
        by_sdk = self._sdk_reader(model)
        if hasattr(model, "get_real_child_model"):  # a base class: the payload names the type
            return self._discriminated_reader(model, by_sdk)
        return self._fields_reader(model, by_sdk)

    def _fields_reader(self, model: type, by_sdk: Reader) -> Reader:
        """Field types are resolved when first read (models can contain themselves). The
        payload's keys are walked, not the model's fields: most fields are absent."""
        fields = {
            key: (attribute, model.deserialized_types[attribute])
            for attribute, key in _fields_of(model)
        }
        readers = self._readers

        def read(data: Any) -> Any:
            if not isinstance(data, dict):
                return by_sdk(data)
            instance = model()
            for key, value in data.items():
                field = fields.get(key)
                if field is None:  # kept as it is, as the SDK does, unless the key would
                    if _settable(model, key):  # replace one of the object's own parts
                        setattr(instance, key, value)
                    continue
                attribute, field_type = field
                if value is not None:
                    value = (readers.get(field_type) or self._reader(field_type))(value)
                setattr(instance, attribute, value)
            return instance

        return read

    def _discriminated_reader(self, model: type, by_sdk: Reader) -> Reader:
        """Reads the subclass the payload names (as the SDK does, without looking further)."""
        subclasses: dict[str, Reader] = {}

        def read(data: Any) -> Any:
            if not isinstance(data, dict):
                return by_sdk(data)
            name = model.get_real_child_model(data)
            if not name:
                raise SerializationException(
                    f"Couldn't resolve object by discriminator type for {model} class"
                )
            reader = subclasses.get(name)
            if reader is None:
                subclass = self._DefaultSerializer__load_class_from_name(name)
                reader = subclasses[name] = self._fields_reader(subclass, by_sdk)
            return reader(data)

        return read


def _fields_of(model: type) -> tuple[tuple[str, str], ...]:
    """(attribute, JSON key) for every typed attribute of an SDK model class."""
    names = getattr(model, "attribute_map", {})
    return tuple((name, names.get(name, name)) for name in model.deserialized_types)


def _settable(model: type, key: str) -> bool:
    """Whether an unknown key may become an attribute. The SDK sets every one, so that
    ``"__dict__": {}`` in a request wipes the envelope's fields, ``"to_dict": 1`` hides a
    method and ``"supported_interfaces": 1`` (the attribute's own name, not its JSON key)
    replaces a field already read. A private name, a field's attribute name or a name the
    class has is dropped instead. (No JSON key Alexa sends is any of these.)"""
    return (
        not key.startswith("_") and key not in model.deserialized_types and not hasattr(model, key)
    )


def _as_is(data: Any) -> Any:
    return data


def _primitive_reader(kind: type) -> Reader:
    def read(data: Any) -> Any:
        if type(data) is kind:
            return data
        try:
            return kind(data)
        except TypeError:
            return data
        except ValueError as error:
            raise SerializationException(
                f"Failed to parse {data} into '{kind.__name__}' object"
            ) from error

    return read


def _enum_reader(kind: type[Enum]) -> Reader:
    def read(data: Any) -> Any:
        try:
            return kind(data)
        except Exception as error:
            raise SerializationException(str(error)) from error

    return read
