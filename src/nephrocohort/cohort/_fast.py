"""Vectorised helpers over pyarrow-backed text columns (ten million lab rows in seconds).

Mapping a code column to numbers or text goes through its dictionary of
distinct values: the Python work is per distinct value, never per row.
"""

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "as_arrow",
    "encode",
    "factorize",
    "per_distinct",
    "lookup_float",
    "lookup_text",
    "lookup_text_of_codes",
    "lookup_floats",
    "positions_in",
]

TEXT = pd.StringDtype("pyarrow")


def as_arrow(values: pd.Series) -> pa.Array:
    """The column as one pyarrow (large) string array; no copy for pyarrow-backed text."""
    if hasattr(values.array, "__arrow_array__"):
        arrow = pa.array(values.array)
        if isinstance(arrow, pa.ChunkedArray):
            arrow = arrow.combine_chunks()
        if pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type):
            return arrow
        return arrow.cast(pa.string())
    objects = values.astype("object").where(values.notna(), None)
    return pa.array(objects.tolist(), type=pa.string(), from_pandas=True)


def encode(values: pd.Series) -> tuple[np.ndarray, pa.Array]:
    """Codes (``-1`` for missing) and the distinct values of a text column, as pyarrow."""
    encoded = pc.dictionary_encode(as_arrow(values))
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype("int64")
    return codes, encoded.dictionary


def factorize(values: pd.Series) -> tuple[np.ndarray, list]:
    """Codes (``-1`` for missing) and the distinct values of a text column."""
    codes, dictionary = encode(values)
    return codes, dictionary.to_pylist()


def per_distinct(values: pd.Series, parse, missing) -> np.ndarray:
    """``parse`` run once per distinct text (a pyarrow array in, a numpy array out), spread to rows.

    Dates and lab values repeat a lot (thousands of distinct texts in millions of
    rows), so parsing the distinct texts only is much faster. Missing cells get
    ``missing``.
    """
    codes, dictionary = encode(values)
    parsed = np.asarray(parse(dictionary))
    parsed = np.append(parsed, np.array([missing], dtype=parsed.dtype))
    return parsed[codes]


def lookup_float(values: pd.Series, mapping: dict, default: float = np.nan) -> np.ndarray:
    """``mapping[value]`` for every row as float64 (``default`` for missing or unmapped)."""
    return lookup_floats(values, mapping, default=default)[0]


def lookup_floats(values: pd.Series, *mappings: dict, default: float = np.nan) -> list:
    """:func:`lookup_float` for several mappings, the column encoded once."""
    codes, distinct = factorize(values)
    return [
        np.array([mapping.get(value, default) for value in distinct] + [default], dtype=float)[
            codes
        ]
        for mapping in mappings
    ]


def lookup_text(values: pd.Series, mapping: dict) -> pd.Series:
    """``mapping[value]`` for every row as pyarrow text (missing where unmapped)."""
    encoded = pc.dictionary_encode(as_arrow(values))
    dictionary = pa.array(
        [mapping.get(value) for value in encoded.dictionary.to_pylist()], pa.string()
    )
    mapped = pa.DictionaryArray.from_arrays(encoded.indices, dictionary).cast(pa.string())
    return pd.Series(pd.arrays.ArrowStringArray(mapped), index=values.index)


def lookup_text_of_codes(codes: np.ndarray, distinct: list, mapping: dict, index) -> pd.Series:
    """:func:`lookup_text` of a column already factorized (``codes``, ``distinct``)."""
    dictionary = pa.array([mapping.get(value) for value in distinct], pa.string())
    indices = pa.array(np.where(codes < 0, 0, codes), type=pa.int64(), mask=codes < 0)
    mapped = pa.DictionaryArray.from_arrays(indices, dictionary).cast(pa.string())
    return pd.Series(pd.arrays.ArrowStringArray(mapped), index=index)


def positions_in(values: pd.Series, reference: pd.Series) -> np.ndarray:
    """For each row, the position of its value in ``reference`` (first match), or -1."""
    arrow = as_arrow(values)
    found = pc.index_in(arrow, value_set=as_arrow(reference).cast(arrow.type))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype("int64")
