"""Checks FollowTheMoney entities the way FtM's own tools read them.

Reads JSON lines (a file named on the command line, or stdin), parses each entity with the
`followthemoney` package (`model.get_proxy(..., cleaned=False)`, which is
`EntityProxy.from_dict`), and checks that its schema exists and is concrete, its id is kept,
every property belongs to the schema and is not a reverse (stub) property, every value is
valid for the property's type and survives parsing, required properties are there, and every
entity reference points at an entity in the same stream. Prints one JSON object: the number of
entities, the count per schema, and the problems found; exits 1 when there is any.
"""

import json
import sys
from collections import Counter

from followthemoney import model
from followthemoney.types import registry


def check(lines):
    problems = []
    schemata = Counter()
    ids = set()
    references = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            data = json.loads(line)
        except ValueError as error:
            problems.append(f"{where}: not JSON: {error}")
            continue
        schema = model.get(data.get("schema"))
        if schema is None:
            problems.append(f"{where}: unknown schema {data.get('schema')!r}")
            continue
        if schema.abstract:
            problems.append(f"{where}: abstract schema {schema.name}")
        proxy = model.get_proxy(data, cleaned=False)
        where = f"{where} ({schema.name} {data.get('id')})"
        if proxy.id != data.get("id"):
            problems.append(f"{where}: id not kept: {proxy.id!r}")
        if proxy.id in ids:
            problems.append(f"{where}: id repeated")
        ids.add(proxy.id)
        schemata[schema.name] += 1
        for name, values in data.get("properties", {}).items():
            prop = schema.get(name)
            if prop is None:
                problems.append(f"{where}: {name} is not a property of {schema.name}")
                continue
            if prop.stub:
                problems.append(f"{where}: {name} is a reverse property")
            if not isinstance(values, list) or not values:
                problems.append(f"{where}: {name} is not a list of values")
                continue
            for value in values:
                if not isinstance(value, str) or not prop.type.validate(value):
                    problems.append(f"{where}: {name} = {value!r} is not a valid {prop.type.name}")
            kept = proxy.get(prop)
            if len(kept) != len(set(values)):
                problems.append(f"{where}: {name} kept {kept!r} of {values!r}")
            if prop.type == registry.entity:
                references.extend((where, name, value) for value in values)
        for required in schema.required:
            if not proxy.has(required):
                problems.append(f"{where}: required {required} missing")
    for where, name, value in references:
        if value not in ids:
            problems.append(f"{where}: {name} points at {value!r}, not in the stream")
    return {"entities": sum(schemata.values()), "schemata": dict(schemata), "problems": problems}


def main():
    if len(sys.argv) > 1:
        with open(sys.argv[1], encoding="utf-8") as file:
            report = check(file)
    else:
        report = check(sys.stdin)
    json.dump(report, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
