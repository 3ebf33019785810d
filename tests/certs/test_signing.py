import base64
import stat

import pytest

from core.certs import signing


def test_a_signed_payload_verifies(signing_key):
    payload = {"amount_kg": 500, "beneficiary": "Zoë"}
    signature = signing.sign_payload(payload, signing_key)
    assert signing.verify_payload(payload, signature, signing_key.public_key())


def test_changing_the_amount_by_one_kg_breaks_the_signature(signing_key):
    payload = {"amount_kg": 500, "beneficiary": "Zoë"}
    signature = signing.sign_payload(payload, signing_key)
    assert not signing.verify_payload({**payload, "amount_kg": 501}, signature, signing_key)


def test_changing_the_beneficiary_breaks_the_signature(signing_key):
    payload = {"amount_kg": 500, "beneficiary": "Zoë"}
    signature = signing.sign_payload(payload, signing_key)
    assert not signing.verify_payload({**payload, "beneficiary": "Zoe"}, signature, signing_key)


def test_key_order_does_not_matter_because_the_json_is_canonical(signing_key):
    signature = signing.sign_payload({"a": 1, "b": 2}, signing_key)
    assert signing.verify_payload({"b": 2, "a": 1}, signature, signing_key)


def test_canonical_json_has_sorted_keys_no_spaces_and_raw_utf8():
    assert signing.canonical_json({"b": "Ω", "a": [1, 2]}) == '{"a":[1,2],"b":"Ω"}'.encode()


def test_a_garbled_signature_is_invalid_not_an_error(signing_key):
    assert not signing.verify_payload({"a": 1}, "not base64 !!", signing_key)
    assert not signing.verify_payload({"a": 1}, "", signing_key)


def test_another_key_does_not_verify(signing_key):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    signature = signing.sign_payload({"a": 1}, signing_key)
    assert not signing.verify_payload({"a": 1}, signature, Ed25519PrivateKey.generate())


def test_a_missing_key_file_is_created_once_with_mode_0600_and_reused(tmp_path):
    path = tmp_path / "data" / "cert_signing_key"
    first = signing.load_or_create_key(None, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    second = signing.load_or_create_key(None, path)
    assert signing.key_id(first) == signing.key_id(second)


def test_cert_signing_key_in_base64_is_honoured_and_no_file_is_written(tmp_path):
    seed = bytes(range(32))
    path = tmp_path / "cert_signing_key"
    key = signing.load_or_create_key(base64.b64encode(seed).decode(), path)
    assert signing.key_id(key) == signing.key_id(signing.load_or_create_key(seed.hex(), path))
    assert not path.exists()


@pytest.mark.parametrize(
    "text",
    [
        bytes(range(32)).hex(),
        bytes(range(32)).hex().upper(),
        base64.b64encode(bytes(range(32))).decode(),
        base64.urlsafe_b64encode(bytes(range(32))).decode().rstrip("="),
    ],
)
def test_every_documented_seed_format_gives_the_same_key(text, signing_key):
    assert signing.key_id(signing.load_or_create_key(text, None)) == signing.key_id(signing_key)


@pytest.mark.parametrize("text", ["abc", "zz" * 32, base64.b64encode(b"x" * 31).decode()])
def test_a_malformed_cert_signing_key_is_refused(text):
    with pytest.raises(signing.SigningKeyError):
        signing.load_or_create_key(text, None)


def test_the_public_key_pem_round_trips_with_the_same_key_id(signing_key):
    pem = signing.public_key_pem(signing_key)
    assert pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert signing.key_id(signing.load_public_key_pem(pem)) == signing.key_id(signing_key)
    assert len(signing.key_id(signing_key)) == 16
