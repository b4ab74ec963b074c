from django.urls import URLPattern, URLResolver, get_resolver, reverse

EXAMPLE_ARGS = {"int": 1, "str": "x", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


def every_route():
    """(path, view) of every named route of the site, with example values for its parameters."""
    found = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, ns)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                converters = getattr(pattern.pattern, "converters", {})
                kwargs = {
                    key: EXAMPLE_ARGS.get(type(conv).__name__.replace("Converter", "").lower(), "x")
                    for key, conv in converters.items()
                }
                try:
                    found.append((reverse(name, kwargs=kwargs), pattern.callback))
                except Exception:  # noqa: BLE001 - a regex route that our example values do not fit
                    continue

    walk(get_resolver().url_patterns, "")
    return sorted(set(found), key=lambda item: item[0])
