"""The CoAuthor reader and replay after the speed work of issue #12: the same events,
the same ledger hashes as the code before it (json.dumps for every entry)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from memory.coauthor import read_events, replay_session
from memory.store import Store

CORPUS = Path("/work/shared/corpora/coauthor/sessions")
SESSIONS = sorted(CORPUS.glob("*.jsonl*"))

# Ledger head hashes of every shared session (by the first 8 characters of its id),
# recorded with the code as it was before the fast paths existed.
HEAD_HASHES = {
    "138dd733": "c9195790d5b9895960ff8a545857fb8a3486bc3d6564104dc66952565da50fb7",
    "20be391a": "2b67d7512e146ccaaeafbe9e02a0209cc18c8b7dbea3cf480d3b360b6fe80526",
    "2a08ae62": "df0c9c19709fca07d0f3909a0658486f9ef050edc826bae39641ad1ef6761be8",
    "409ea6cd": "16707e0cd1fa3ca668d6d3a2d0e36a2074ade645b64289e4fc9ab444bee321bc",
    "41d8a6e7": "893674afd501ecdedcba6303b37b855223536d660f6bac43540180b28e8b2230",
    "42ea34cf": "b49080c73f47b486bb7bdfd364a06738d252ddd2996c30d3a5f0ab30fc3ba171",
    "435605f2": "1344e605f38d19ffa23b25028324be18cf63ddaa20e43224f2b0151d0d9147d1",
    "45c57b13": "e2bc6acc7e28bd07a0491a0ffe6a70162642692d01242afc8afcf2746ff32492",
    "4c9727b3": "411d1869b951ada6fe96ee3ccfd053b862ef648630d5e6ec5a15862a3cd78ac3",
    "4ecefd16": "cf9013946ae6ef444c789a879b6570f10d15b66f56ba63ef48be9261f64c6096",
    "51ed55e5": "e0bd3c04eff65fc9e45f193eb99cde945c47d21ba83656b2b836bf5b4ef85a07",
    "53a1f867": "eb9021d312e49e9756fdda845c851b79f4b7cdee6741d8f71c29959208405d38",
    "5d3c9dbe": "6e68a2763fcc53d42525093ba641a92caa683a3b5d2427b7b225c0786c10a445",
    "68b57784": "42279c97272561420b7675b2a6d69163f810ae2b6319e864fb532b13f42343e8",
    "6f952927": "dd9eb9a4adfb2a0c0070ad29d3f4022a2764f43e7fc94b9e1b5ccc4a0ac1b0eb",
    "725f9e4a": "37ec7ded9c5ffdb89d490f1671289af3f2741aff32e68c15951769cf2eb03e4a",
    "73e1236f": "4243f8a611456e924e8974805b83940b6bc5e2e91e907bf3de5db35752262e2a",
    "759a22ce": "d995d054dc44cc43cb9e0dd2911671e9bf0703e7d66510cbd17287c98a9ebd47",
    "79a61260": "99a48665b931882bdc1928beacf1bbe88aed95ab82c6e794439d3f49d7f43592",
    "7e400fae": "0740cbec07b880dbe45fd66e776242038e4ece7b7f001467e15bc2cb3cd2d5a1",
    "8499365f": "bdce9e51de126f35a6ff61458f827145ca835b7dd9f7187d0c2e1292472c9c3c",
    "87aece06": "f89419559a238b24f6ffbf18c2185e684c24fe95689f60cc5954c837950fae5e",
    "8d9a9773": "2c80da4fa6e8fc1dc91e5023558b8ca49be0c9980fb0f9313104d36d4f12275f",
    "9d88e84f": "634467bbf02a61bf8bd92e17c1596796432b5a7d0b8b8a6d121d38c3e5e2cb3e",
    "9e408240": "27d6040ba1e52419f4b73ded386610e46f83709767ee45cde121aa4eb639c106",
    "ae8434c0": "883463e736c4e3c8e31d4fe0c41d2681128352b9af99f5269fd02fbd22e63eb7",
    "b7f82fbb": "34485b28023b17f2b4216cb37117a0bf74cbef69dd888575010a55cfe7620c8a",
    "b8a0c252": "46a78a9cfdf79a371f7a185125f3ea17803ad9deaff1b15a68f3b00de8744b59",
    "bd4dc28d": "3caae744702e3a9bbc765a4775ecb133053e26f3f9642cbc69c115af21917bd6",
    "bd6ab310": "62451a6b56cb432a78a7a4f73e733291ef368debe2c5d70bc4291381580ac8d2",
    "da72913a": "578ada23c11600bb424b2d665369180576987bc96555ae247f75636280c28567",
    "fe677c51": "c87151b6701ac0c0e1f6ff355154fa85b81ef055a66b9f559a4e32b05db17273",
}


def text_mode_events(path: Path) -> list[dict[str, object]]:
    """The reader as it was: gzip or plain, text mode line by line."""
    with open(path, "rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
    opener = gzip.open if gzipped else open
    with opener(path, "rt", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


@pytest.mark.skipif(not SESSIONS, reason="CoAuthor corpus not present")
def test_every_session_keeps_its_ledger_head_hash() -> None:
    assert {p.name[:8] for p in SESSIONS} == set(HEAD_HASHES)
    for path in SESSIONS:
        assert replay_session(path).head_hash == HEAD_HASHES[path.name[:8]], path.name


@pytest.mark.skipif(not SESSIONS, reason="CoAuthor corpus not present")
def test_reader_gives_the_same_events_as_text_mode() -> None:
    for path in SESSIONS[:6]:
        assert list(read_events(path)) == text_mode_events(path)


def test_reader_splits_lines_as_text_mode_does(tmp_path: Path) -> None:
    """\\n, \\r\\n and \\r end a line; U+2028 and U+0085 inside a string do not."""
    lines = [
        {"eventName": "system-initialize", "currentDoc": "\u201cA\u2028B\u0085C\u201d \U0001f600"},
        {"eventName": "text-insert", "textDelta": {"ops": [{"retain": 8}, {"insert": "\u00e9"}]}},
        {"eventName": "text-delete", "textDelta": {"ops": [{"retain": 2}, {"delete": 1}]}},
    ]
    encoded = [json.dumps(line, ensure_ascii=False) for line in lines]
    body = encoded[0] + "\r\n" + encoded[1] + "\r" + "\n  \n" + encoded[2]
    plain = tmp_path / "s.jsonl"
    plain.write_bytes(body.encode("utf-8"))
    packed = tmp_path / "s.jsonl.gz"
    packed.write_bytes(gzip.compress(body.encode("utf-8")))
    for path in (plain, packed):
        assert list(read_events(path)) == lines == text_mode_events(path)


def test_replay_of_a_small_session_in_a_file_store(tmp_path: Path) -> None:
    """Through a real SQLite file: the ledger verifies, the labels are exact."""
    from memory.ledger import Ledger

    events = [
        {
            "eventName": "system-initialize",
            "eventTimestamp": 1000,
            "currentDoc": "\u201cHi\u201d\n",
        },
        {
            "eventName": "text-insert",
            "eventSource": "user",
            "eventTimestamp": 2000,
            "textDelta": {"ops": [{"retain": 5}, {"insert": "\U0001f600 ok"}]},
        },
        {
            "eventName": "text-insert",
            "eventSource": "api",
            "eventTimestamp": 3000,
            "textDelta": {"ops": [{"retain": 10}, {"insert": " caf\u00e9"}]},
        },
        {
            "eventName": "text-delete",
            "eventSource": "user",
            "eventTimestamp": 4000,
            "textDelta": {"ops": [{"retain": 5}, {"delete": 2}]},
        },
    ]
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join(json.dumps(e) for e in events) + "\n", encoding="utf-8")
    store = Store(tmp_path / "lib.db")
    result = replay_session(path, store)
    assert result.final_text == "\u201cHi\u201d\n ok caf\u00e9"
    assert result.labels == "ppppp" + "hhh" + "mmmmm"
    assert result.events_applied == 3
    (doc_id,) = store.db.execute("SELECT id FROM documents").fetchone()
    assert Ledger(store, doc_id).verify()
    store.close()
