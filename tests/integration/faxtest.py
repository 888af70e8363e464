"""What the Python test helpers share: faxsim's API with paging, and
read-only queries of faxtop's store (standard library only, loopback only)."""
import json
import sqlite3
import urllib.request


def get(addr, key, path):
    req = urllib.request.Request("http://%s%s" % (addr, path),
                                 headers={"Authorization": "Bearer " + key})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def pages(addr, key, path, cursor_param, max_pages=10000):
    """Every item of a paged list, following next_cursor until has_more is false."""
    items, cursor = [], None
    for _ in range(max_pages):
        sep = "&" if "?" in path else "?"
        p = path + (sep + cursor_param + "=" + cursor if cursor else "")
        j = get(addr, key, p)
        items += j["data"]
        if not j.get("has_more") or not j.get("next_cursor"):
            return items
        cursor = j["next_cursor"]
    raise SystemExit("too many pages")


def db_rows(db, sql, args=()):
    # Read-only, so a check never changes what faxtop recovers later.
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()
