import base64
import logging
import stat
import string

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


def test_a_key_file_others_can_read_is_tightened_to_0600_with_a_warning(tmp_path, caplog):
    path = tmp_path / "data" / "cert_signing_key"
    first = signing.load_or_create_key(None, path)
    path.chmod(0o644)
    with caplog.at_level(logging.WARNING, logger="core.certs.signing"):
        again = signing.load_or_create_key(None, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert signing.key_id(again) == signing.key_id(first)
    [warning] = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert str(path) in warning.getMessage() and "0644" in warning.getMessage()


def test_a_key_file_with_mode_0600_is_read_without_a_warning(tmp_path, caplog):
    path = tmp_path / "cert_signing_key"
    signing.load_or_create_key(None, path)
    with caplog.at_level(logging.WARNING, logger="core.certs.signing"):
        signing.load_or_create_key(None, path)
    assert not caplog.records


def _lenient_b64url(text: str) -> bytes:
    """How the signature used to be read: padding added, stray bits ignored."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_the_other_15_spellings_of_a_signature_are_refused(signing_key):
    payload = {"amount_kg": 500}
    signature = signing.sign_payload(payload, signing_key)
    alphabet = string.ascii_letters + string.digits + "-_"
    spellings = [
        signature[:-1] + c
        for c in alphabet
        if c != signature[-1] and _lenient_b64url(signature[:-1] + c) == _lenient_b64url(signature)
    ]
    assert len(spellings) == 15  # 64 bytes leave 4 unused bits in the last character
    for spelling in spellings:
        with pytest.raises(ValueError, match="not canonical base64url"):
            signing.decode_signature(spelling)
        assert not signing.verify_payload(payload, spelling, signing_key)
    assert signing.verify_payload(payload, signature, signing_key)


@pytest.mark.parametrize("edit", ["{}=", "{}==", "{}===", " {}", "{}\n", "{}A"])
def test_padding_spaces_or_an_extra_character_make_a_signature_invalid(signing_key, edit):
    signature = signing.sign_payload({"a": 1}, signing_key)
    assert not signing.verify_payload({"a": 1}, edit.format(signature), signing_key)


def test_a_signature_in_the_standard_alphabet_is_refused(signing_key):
    # Find a payload whose signature has a "-" or "_", so the two alphabets differ.
    for n in range(100):
        signature = signing.sign_payload({"n": n}, signing_key)
        if "-" in signature or "_" in signature:
            break
    standard = signature.replace("-", "+").replace("_", "/")
    assert not signing.verify_payload({"n": n}, standard, signing_key)


def test_a_public_key_pem_with_crlf_line_ends_is_read(signing_key):
    pem = signing.public_key_pem(signing_key).replace("\n", "\r\n")
    assert signing.key_id(signing.load_public_key_pem(pem)) == signing.key_id(signing_key)


def _other_spellings_of_the_pem(pem: str) -> list[str]:
    begin, body, end = pem.strip().split("\n")
    alphabet = string.ascii_letters + string.digits + "+/"
    stem, pad = body.rstrip("="), body[len(body.rstrip("=")):]
    same = base64.b64decode(body)
    return [
        f"{begin}\n{stem[:-1]}{c}{pad}\n{end}\n"
        for c in alphabet
        if c != stem[-1] and base64.b64decode(stem[:-1] + c + pad) == same
    ]


def test_a_public_key_pem_in_non_canonical_base64_is_refused(signing_key):
    spellings = _other_spellings_of_the_pem(signing.public_key_pem(signing_key))
    assert spellings  # the DER's length leaves unused bits in the last character
    for pem in spellings:
        with pytest.raises(signing.SigningKeyError, match="not canonical base64"):
            signing.load_public_key_pem(pem)


@pytest.mark.parametrize(
    "edit",
    [
        lambda pem: "a note\n" + pem,
        lambda pem: pem + "trailing text\n",
        lambda pem: pem.replace("\n-----END", "==\n-----END"),
        lambda pem: pem.replace("-----\n", "-----\n ", 1),
    ],
    ids=["text before", "text after", "extra padding", "indented body"],
)
def test_a_public_key_pem_with_anything_extra_is_refused(signing_key, edit):
    with pytest.raises(signing.SigningKeyError):
        signing.load_public_key_pem(edit(signing.public_key_pem(signing_key)))
