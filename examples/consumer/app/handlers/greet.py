def handler(event, context=None):
    return {"greeting": f"hello, {(event or {}).get('name', 'world')}"}
