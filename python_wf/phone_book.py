"""Twin of the upstream PhoneBookWorkflow: one lookup task bound to a constant map and a constant
list; output ``phoneNumbers`` (the numbers of the searched keys present in the map, in key order)."""

from typing import Dict, List, NamedTuple

from flytekit import task, workflow

Values = NamedTuple("Values", [("values", List[str])])
PhoneNumbers = NamedTuple("PhoneNumbers", [("phoneNumbers", List[str])])


@task
def batch_look_up(keyValues: Dict[str, str], searchKeys: List[str]) -> Values:  # noqa: N803 (JVM names)
    return Values(values=[keyValues[key] for key in searchKeys if key in keyValues])


@workflow
def phone_book_wf() -> PhoneNumbers:
    found = batch_look_up(
        keyValues={"frodo": "123", "bilbo": "456", "gandalf": "789"},
        searchKeys=["frodo", "bilbo"],
    ).with_overrides(node_name="search")
    return PhoneNumbers(phoneNumbers=found.values)
