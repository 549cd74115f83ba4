"""openapi_shape.py - checks a JSON value against a schema of docs/openapi.json (the subset the document uses:
$ref, allOf, anyOf, type with null, enum, required, properties, additionalProperties, items). The web UI's
TypeScript types are generated from these schemas (web/build.sh), so a server answer that breaks its schema is
a UI reading a member that is not there. Returns the paths of the values at fault, each with why."""


def _type_ok(value, t):
    if t == "null":
        return value is None
    if t == "boolean":
        return isinstance(value, bool)
    if t == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if t == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if t == "string":
        return isinstance(value, str)
    if t == "array":
        return isinstance(value, list)
    if t == "object":
        return isinstance(value, dict)
    return False


def faults(doc, schema, value, path="$"):
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return faults(doc, doc["components"]["schemas"][name], value, path)
    out = []
    for sub in schema.get("allOf", []):
        out += faults(doc, sub, value, path)
    if "anyOf" in schema and all(faults(doc, sub, value, path) for sub in schema["anyOf"]):
        out.append(f"{path}: none of anyOf fits {str(value)[:60]}")
    types = schema.get("type")
    if types is not None:
        types = types if isinstance(types, list) else [types]
        if not any(_type_ok(value, t) for t in types):
            return out + [f"{path}: {str(value)[:60]} is not {'/'.join(types)}"]
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{path}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for k in schema.get("required", []):
            if k not in value:
                out.append(f"{path}.{k}: missing")
        extra = schema.get("additionalProperties")
        for k, v in value.items():
            if k in props:
                out += faults(doc, props[k], v, f"{path}.{k}")
            elif isinstance(extra, dict):
                out += faults(doc, extra, v, f"{path}.{k}")
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            out += faults(doc, schema["items"], v, f"{path}[{i}]")
    return out
