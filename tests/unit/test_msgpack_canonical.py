"""canonical_literal: msgpack maps compare regardless of key order, and only regardless of that."""

import msgpack
from flyteidl.core import literals_pb2
from hypothesis import given
from hypothesis import strategies as st

from flyte_parity.idl.diff import diff_messages
from flyte_parity.idl.literals import canonical_literal, canonical_literal_map


def _binary(obj, tag="msgpack"):
    literal = literals_pb2.Literal()
    literal.scalar.binary.value = msgpack.packb(obj, use_bin_type=True)
    literal.scalar.binary.tag = tag
    return literal


def test_key_order_alone_is_not_a_difference():
    left = _binary({"a": 1, "b": {"x": [1, 2], "y": None}})
    right = _binary({"b": {"y": None, "x": [1, 2]}, "a": 1})
    assert left.scalar.binary.value != right.scalar.binary.value  # the bytes differ
    assert not diff_messages(canonical_literal(left), canonical_literal(right))


def test_values_list_order_and_tags_still_differ():
    base = canonical_literal(_binary({"a": 1, "l": [1, 2]}))
    assert diff_messages(base, canonical_literal(_binary({"a": 2, "l": [1, 2]})))
    assert diff_messages(base, canonical_literal(_binary({"a": 1, "l": [2, 1]})))
    assert diff_messages(base, canonical_literal(_binary({"a": 1.0, "l": [1, 2]})))  # int vs float
    other_tag = _binary({"b": 1, "a": 2}, tag="pickle")
    assert canonical_literal(other_tag) == other_tag  # only msgpack binaries are rewritten


def test_nested_in_collections_and_maps_and_invalid_bytes_kept():
    outer = literals_pb2.LiteralMap()
    outer.literals["m"].map.literals["k"].CopyFrom(_binary({"z": 1, "a": 2}))
    outer.literals["c"].collection.literals.add().CopyFrom(_binary({"z": 1, "a": 2}))
    swapped = literals_pb2.LiteralMap()
    swapped.literals["m"].map.literals["k"].CopyFrom(_binary({"a": 2, "z": 1}))
    swapped.literals["c"].collection.literals.add().CopyFrom(_binary({"a": 2, "z": 1}))
    assert not diff_messages(canonical_literal_map(outer), canonical_literal_map(swapped))
    broken = literals_pb2.Literal()
    broken.scalar.binary.value = b"\xc1"  # never valid msgpack
    broken.scalar.binary.tag = "msgpack"
    assert canonical_literal(broken) == broken
    assert canonical_literal_map(None) is None


keys = st.text(max_size=5)
values = st.recursive(st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.text(max_size=5),
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
                      max_leaves=10)


@given(st.dictionaries(keys, values, max_size=5), st.randoms())
def test_any_key_permutation_is_equal_after_canonicalisation(obj, rnd):
    def shuffled(value):
        if isinstance(value, dict):
            items = list(value.items())
            rnd.shuffle(items)
            return {k: shuffled(v) for k, v in items}
        if isinstance(value, list):
            return [shuffled(v) for v in value]
        return value

    assert canonical_literal(_binary(obj)) == canonical_literal(_binary(shuffled(obj)))
