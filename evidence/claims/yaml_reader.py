"""The YAML claims reader: YAML text to a :mod:`evidence.claims.tree`, safely.

Decisions, and why:

* Values are read as the user typed them. YAML is composed into nodes (safely; no
  object is ever constructed) and scalars are taken from the node text, so ``id: 012``
  is ``"012"``, ``text: no`` is ``"no"`` and a date stays a date string; numbers are read
  as decimal from the same text later (``n: 012`` is 12, not YAML 1.1's octal 10).
* YAML tags other than the standard scalar ones (``!!python/...``) and merge keys (``<<``)
  are errors: a claims file is plain data.
* Aliases are converted once each, so an alias bomb stays linear and a self-referring
  alias ends.

PyYAML's pure-Python ``SafeLoader`` is used for its marks (line and column of every node)
and its plain, well-known error messages.
"""

from __future__ import annotations

from types import MappingProxyType

import yaml

from evidence.claims.tree import Map, Node, Report, Scalar, Seq

# --- YAML ------------------------------------------------------------------------------

#: The prefix of YAML's standard tags (``!!str`` is ``tag:yaml.org,2002:str``).
YAML_PREFIX = "tag:yaml.org,2002:"
_YAML_SCALAR_TAGS = frozenset({"str", "int", "float", "bool", "null", "timestamp", "value"})
_YAML_HINTS = MappingProxyType(
    {
        "mapping values are not allowed here": (
            "a value that contains ': ' must be quoted, e.g. text: \"Pain: common\""
        ),
        "that cannot start any token": "quote values that start with @ or `",
        "found character '\\t'": "indent with spaces, not tabs",
    }
)


def read_yaml(text: str, report: Report) -> Node | None:
    """The tree of a YAML claims file; ``None`` when it is empty or cannot be read."""
    try:
        # The pure-Python SafeLoader gives the same marks and messages everywhere; compose()
        # builds nodes only, so no tag can make it construct an object.
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or "invalid YAML"
        hint = next((h for k, h in _YAML_HINTS.items() if k in what), "")
        message = f"invalid YAML: {what}" + (f" ({exc.context})" if exc.context else "")
        report.error(
            mark.line + 1 if mark else None,
            message + (f"; {hint}" if hint else ""),
            "syntax",
            column=mark.column + 1 if mark else None,
        )
        return None
    except yaml.YAMLError as exc:  # reader errors: characters YAML does not allow
        mark = getattr(exc, "position", None)
        line = text.count("\n", 0, mark) + 1 if isinstance(mark, int) else None
        report.error(line, f"invalid YAML: {exc}", "syntax")
        return None
    if root is None:
        return None
    return _from_yaml_node(root, report, {})


def _from_yaml_node(node: yaml.Node, report: Report, seen: dict[int, Node]) -> Node:
    # Aliases share node objects; converting each once keeps alias bombs linear and lets
    # a self-referring alias end instead of recursing forever.
    if id(node) in seen:
        return seen[id(node)]
    line = node.start_mark.line + 1
    short = node.tag[len(YAML_PREFIX) :] if node.tag.startswith(YAML_PREFIX) else ""
    tag = f"!!{short}" if short else node.tag  # as the user wrote it, in the usual case
    if isinstance(node, yaml.ScalarNode):
        if short not in _YAML_SCALAR_TAGS:
            report.error(line, f"the YAML tag {tag!r} is not allowed in a claims file", "yaml-tag")
        scalar = Scalar(None if short == "null" else str(node.value), line)
        seen[id(node)] = scalar
        return scalar
    if isinstance(node, yaml.SequenceNode):
        if short != "seq":
            report.error(line, f"the YAML tag {tag!r} is not allowed in a claims file", "yaml-tag")
        seq = Seq(line)
        seen[id(node)] = seq
        seq.items.extend(_from_yaml_node(item, report, seen) for item in node.value)
        return seq
    if short != "map" or not isinstance(node, yaml.MappingNode):
        report.error(line, f"the YAML tag {tag!r} is not allowed in a claims file", "yaml-tag")
    mapping = Map(line)
    seen[id(node)] = mapping
    for key, value in node.value if isinstance(node, yaml.MappingNode) else ():
        key_line = key.start_mark.line + 1
        if not isinstance(key, yaml.ScalarNode):
            report.error(
                key_line, "a field name must be a plain word, not a list or mapping", "key"
            )
        elif key.tag == YAML_PREFIX + "merge":
            report.error(
                key_line,
                "YAML merge keys ('<<') are not supported in claims files; write the fields out",
                "yaml-merge",
            )
        else:
            mapping.items.append((str(key.value), key_line, _from_yaml_node(value, report, seen)))
    return mapping
