"""WeCom callback crypto: the published test vector, round trips, and every refusal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.wecom.crypto import MAX_CLOCK_SKEW_SECONDS, WeComCrypto, WeComCryptoError
from bot.wecom.messages import envelope, envelope_xml, incoming

KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
CORP = "wxb11529c136998cb6"
NOW = 1_409_304_348
CRYPTO = WeComCrypto("pamtest", KEY, CORP)


def test_the_published_vector() -> None:
    """The WXBizMsgCrypt samples' known answer (fixed random prefix)."""
    payload, signature = CRYPTO.encrypt(
        "我是中文abcd123".encode(), nonce="xxxxxx", timestamp=str(NOW),
        random_prefix=b"aaaabbbbccccdddd",
    )  # fmt: skip
    assert payload == (
        "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="
    )
    assert (
        CRYPTO.decrypt(signature, str(NOW), "xxxxxx", payload, now=NOW)
        == "我是中文abcd123".encode()
    )


@given(st.binary(max_size=5000), st.text(min_size=1, max_size=20))
def test_any_message_round_trips(message: bytes, nonce: str) -> None:
    payload, signature = CRYPTO.encrypt(message, nonce=nonce, timestamp=str(NOW))
    assert CRYPTO.decrypt(signature, str(NOW), nonce, payload, now=NOW) == message


def test_a_tampered_signature_or_payload_is_refused() -> None:
    payload, signature = CRYPTO.encrypt(b"<xml/>", nonce="n", timestamp=str(NOW))
    with pytest.raises(WeComCryptoError, match="bad signature"):
        CRYPTO.decrypt("0" * 40, str(NOW), "n", payload, now=NOW)
    flipped = ("A" if payload[0] != "A" else "B") + payload[1:]
    with pytest.raises(WeComCryptoError, match="bad signature"):
        CRYPTO.decrypt(signature, str(NOW), "n", flipped, now=NOW)
    with pytest.raises(WeComCryptoError, match="bad signature"):
        CRYPTO.decrypt(signature, str(NOW), "other-nonce", payload, now=NOW)


def test_a_message_for_another_corp_is_refused() -> None:
    theirs = WeComCrypto("pamtest", KEY, "ww-some-other-corp")
    payload, signature = theirs.encrypt(b"<xml/>", nonce="n", timestamp=str(NOW))
    with pytest.raises(WeComCryptoError, match="ReceiveId"):
        CRYPTO.decrypt(signature, str(NOW), "n", payload, now=NOW)


def test_a_replayed_old_request_is_refused() -> None:
    payload, signature = CRYPTO.encrypt(b"<xml/>", nonce="n", timestamp=str(NOW))
    late = NOW + MAX_CLOCK_SKEW_SECONDS + 1
    with pytest.raises(WeComCryptoError, match="stale"):
        CRYPTO.decrypt(signature, str(NOW), "n", payload, now=late)
    assert CRYPTO.decrypt(signature, str(NOW), "n", payload, now=late - 2) == b"<xml/>"


def test_garbage_is_refused_not_crashed_on() -> None:
    for payload in ("", "not base64 !!", "QUJD"):
        signature = CRYPTO.signature(str(NOW), "n", payload)
        with pytest.raises(WeComCryptoError):
            CRYPTO.decrypt(signature, str(NOW), "n", payload, now=NOW)


def test_a_bad_encoding_aes_key_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="43"):
        WeComCrypto("t", "short", CORP)
    with pytest.raises(ValueError, match="base64"):
        WeComCrypto("t", "!" * 43, CORP)


def test_xml_with_entities_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><xml><Content>&b;</Content></xml>'
    )
    with pytest.raises(WeComCryptoError, match="unacceptable XML"):
        incoming(bomb)
    with pytest.raises(WeComCryptoError):
        envelope(b"<xml><ToUserName>x</ToUserName></xml>")


def test_messages_and_events_are_read() -> None:
    text = incoming(
        b"<xml><ToUserName><![CDATA[corp]]></ToUserName><FromUserName><![CDATA[wangfang]]>"
        b"</FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        b"<Content><![CDATA[\xe7\xbb\x91\xe5\xae\x9a ABC]]></Content><MsgId>123456</MsgId></xml>"
    )
    assert (text.from_user, text.msg_type, text.content, text.dedupe_key) == (
        "wangfang", "text", "绑定 ABC", "123456",
    )  # fmt: skip
    event = incoming(
        b"<xml><FromUserName>lq</FromUserName><CreateTime>1700000001</CreateTime>"
        b"<MsgType>event</MsgType><Event>template_card_event</Event><EventKey>rp:1:202609:done"
        b"</EventKey><TaskId>t1</TaskId></xml>"
    )
    assert event.dedupe_key == "lq:1700000001:template_card_event:rp:1:202609:done"
    assert envelope(envelope_xml("abc", "sig", "1", "n")) == "abc"
