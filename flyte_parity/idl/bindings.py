"""Resolves a node's input bindings to a LiteralMap, as propeller does before running a task:
workflow inputs, upstream node outputs, constants, collections and maps of those."""

from __future__ import annotations

from typing import Mapping

from flyteidl.core import literals_pb2

from flyte_parity.idl.canonical import START_NODE


class UnresolvedBinding(LookupError):
    """A binding names an output that does not exist (yet)."""


def resolve(
    binding: literals_pb2.BindingData,
    workflow_inputs: literals_pb2.LiteralMap,
    node_outputs: Mapping[str, literals_pb2.LiteralMap],
) -> literals_pb2.Literal:
    kind = binding.WhichOneof("value")
    if kind == "scalar":
        return literals_pb2.Literal(scalar=binding.scalar)
    if kind == "promise":
        node, var = binding.promise.node_id, binding.promise.var
        source = workflow_inputs if node in ("", START_NODE) else node_outputs.get(node)
        if source is None or var not in source.literals:
            raise UnresolvedBinding(f"no value for {node or START_NODE}.{var}")
        literal = literals_pb2.Literal()
        literal.CopyFrom(source.literals[var])
        return literal
    if kind == "collection":
        items = [resolve(b, workflow_inputs, node_outputs) for b in binding.collection.bindings]
        return literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=items))
    if kind == "map":
        literal = literals_pb2.Literal()
        literal.map.SetInParent()  # an empty map is still a map literal, as propeller builds it
        for key, item in binding.map.bindings.items():
            literal.map.literals[key].CopyFrom(resolve(item, workflow_inputs, node_outputs))
        return literal
    raise UnresolvedBinding(f"binding kind {kind} is not resolved here")


def node_inputs(
    bindings, workflow_inputs: literals_pb2.LiteralMap, node_outputs: Mapping[str, literals_pb2.LiteralMap]
) -> literals_pb2.LiteralMap:
    """The inputs.pb a node's task receives."""
    result = literals_pb2.LiteralMap()
    for item in bindings:
        result.literals[item.var].CopyFrom(resolve(item.binding, workflow_inputs, node_outputs))
    return result
