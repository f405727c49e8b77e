from greeting import greet


def handler(event, context=None):
    return {"greeting": greet((event or {}).get("name", "world"))}
