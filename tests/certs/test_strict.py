"""`cccp certs verify` refuses every way of making one signature vouch for
something it did not sign (issue 12, point 5), and says why in one line."""

import base64
import json
import string

import pytest

from tests.certs.conftest import run

SIGNATURE_MISMATCH = "signature does not match"


def verify(cert, pub, capsys) -> tuple[int, str]:
    """Run `cccp certs verify` as a user would; the exit code and what it printed."""
    code = run("certs", "verify", str(cert), "--public-key", str(pub))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def edit_document(cert, change) -> None:
    document = json.loads(cert.read_text())
    change(document)
    cert.write_text(json.dumps(document, ensure_ascii=False, indent=2))


def test_the_genuine_certificate_verifies(files, capsys):
    code, out = verify(*files, capsys)
    assert code == 0
    assert out.startswith("VALID  certificate ") and "500 kg CO2e" in out


def test_the_genuine_certificate_reformatted_still_verifies(files, capsys):
    """Whitespace and key order in the file are not part of what is signed."""
    cert, pub = files
    document = json.loads(cert.read_text())
    document["payload"] = dict(reversed(document["payload"].items()))
    cert.write_text(json.dumps(document, separators=(",", ":")))
    assert verify(cert, pub, capsys)[0] == 0


def test_an_amount_inserted_before_the_real_one_is_refused_as_a_duplicate(files, capsys):
    cert, pub = files
    text = cert.read_text()
    cert.write_text(text.replace('"payload": {', '"payload": {\n    "amount_kg": 99999,', 1))
    assert json.loads(cert.read_text())["payload"]["amount_kg"] == 500  # the last one wins
    code, out = verify(cert, pub, capsys)
    assert code == 1
    assert out.strip() == f"INVALID  {cert}: duplicate key amount_kg"


@pytest.mark.parametrize(
    "anchor, duplicate, key",
    [
        ('"payload": {', '"beneficiary": "Mallory",', "beneficiary"),
        ('"payload": {', '"serials": [],', "serials"),
        ("{", '"signature": "AAAA",', "signature"),
        ("{", '"payload": {},', "payload"),
    ],
)
def test_a_duplicate_key_anywhere_in_the_document_is_refused(files, capsys, anchor, duplicate, key):
    cert, pub = files
    cert.write_text(cert.read_text().replace(anchor, anchor + duplicate, 1))
    code, out = verify(cert, pub, capsys)
    assert code == 1 and out.rstrip().endswith(f"duplicate key {key}")


def _same_byte_spellings(signature: str) -> list[str]:
    """Every other last character that a lenient base64 decoder reads as the same bytes."""

    def lenient(text: str) -> bytes:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

    alphabet = string.ascii_letters + string.digits + "-_"
    return [
        signature[:-1] + c
        for c in alphabet
        if c != signature[-1] and lenient(signature[:-1] + c) == lenient(signature)
    ]


def test_all_other_spellings_of_the_signature_s_last_character_are_refused(files, capsys):
    cert, pub = files
    signature = json.loads(cert.read_text())["signature"]
    spellings = _same_byte_spellings(signature)
    assert len(spellings) == 15  # with the genuine one, the 16 the issue names
    for spelling in spellings:
        edit_document(cert, lambda d, s=spelling: d.update(signature=s))
        code, out = verify(cert, pub, capsys)
        assert code == 1, spelling
        assert out.rstrip().endswith("signature is not canonical base64url"), out


@pytest.mark.parametrize("edit", ["{}==", "{}=", "{}\n", " {}"], ids=["==", "=", "newline", "space"])
def test_a_padded_or_spaced_signature_is_refused(files, capsys, edit):
    cert, pub = files
    edit_document(cert, lambda d: d.update(signature=edit.format(d["signature"])))
    code, out = verify(cert, pub, capsys)
    assert code == 1 and "signature is not canonical base64url" in out


@pytest.mark.parametrize(
    "old, new, reason",
    [
        ('"amount_kg": 500', '"amount_kg": 500.0', "number 500.0 is not an integer"),
        ('"amount_kg": 500', '"amount_kg": 5e2', "number 5e2 is not an integer"),
        ('"vintage": 2024', '"vintage": NaN', "NaN is not JSON"),
        ('"beneficiary": "', '"beneficiary": "\\ud800', "payload.beneficiary holds text that is not valid Unicode"),
        ('"payload": {', '"payload": {"note": "paid in full",', "unexpected field note in the payload"),
        ('"payload": {', '"verified": true, "payload": {', "field verified is outside the signed payload"),
    ],
    ids=["float", "exponent", "NaN", "lone surrogate", "unsigned payload field", "unsigned outer field"],
)
def test_json_without_one_canonical_reading_is_refused(files, capsys, old, new, reason):
    cert, pub = files
    text = cert.read_text()
    assert old in text
    cert.write_text(text.replace(old, new, 1))
    code, out = verify(cert, pub, capsys)
    assert code == 1 and out.rstrip().endswith(reason), out


@pytest.mark.parametrize("name", ["key_id", "public_key_url", "algorithm"])
def test_a_copy_of_a_signed_field_beside_the_payload_is_refused(files, capsys, name):
    """Format 3 signs them; the same name outside the payload is not signed."""
    cert, pub = files
    edit_document(cert, lambda d: d.update({name: d["payload"][name]}))
    code, out = verify(cert, pub, capsys)
    assert code == 1 and out.rstrip().endswith(f"field {name} is outside the signed payload")


# Every field of a format 4 payload, a plausible forgery of it, and why it fails.
FORGERIES = {
    "v": (3, "unexpected field project_id in the payload"),
    "standard": ("Gold Standard", SIGNATURE_MISMATCH),
    "project_id": ("P999", SIGNATURE_MISMATCH),
    "issuer": ("CCCP Ltd", SIGNATURE_MISMATCH),
    "id": ("AAAAAAAAAAAA", "verify_url does not point at this certificate"),
    "kind": ("purchase", SIGNATURE_MISMATCH),
    "verify_url": ("https://cccp.example.evil/c/{id}", SIGNATURE_MISMATCH),
    "beneficiary": ("Mallory", SIGNATURE_MISMATCH),
    "amount_kg": (99999, SIGNATURE_MISMATCH),
    "reason": ("", SIGNATURE_MISMATCH),
    "project": ("Another project", SIGNATURE_MISMATCH),
    "methodology": ("ACM0001", SIGNATURE_MISMATCH),
    "country": ("DE", SIGNATURE_MISMATCH),
    "vintage": (2019, SIGNATURE_MISMATCH),
    "serials": (["CCCP-MATA-2024-000000000001-000000000500"], SIGNATURE_MISMATCH),
    "retirement_id": ("43", SIGNATURE_MISMATCH),
    "issued_at": ("2020-01-01T00:00:00Z", SIGNATURE_MISMATCH),
    "key_id": ("0000000000000000", "signed with key 0000000000000000, not with this key"),
    "language": ("de", SIGNATURE_MISMATCH),
    "algorithm": ("Ed448", "algorithm must be Ed25519"),
    "public_key_url": ("https://cccp.example.evil/keys/cert.pub", SIGNATURE_MISMATCH),
    "signed_bytes": ("JSON", "field signed_bytes is not the documented text"),
    "signature_encoding": ("hex", "field signature_encoding is not the documented text"),
}


def test_the_forgeries_cover_every_signed_field(files):
    cert, _ = files
    assert set(FORGERIES) == set(json.loads(cert.read_text())["payload"])


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_changing_any_signed_field_makes_the_certificate_invalid(files, capsys, name):
    cert, pub = files
    forged, reason = FORGERIES[name]

    def forge(document):
        payload = document["payload"]
        payload[name] = forged.format(id=payload["id"]) if isinstance(forged, str) else forged

    edit_document(cert, forge)
    code, out = verify(cert, pub, capsys)
    assert code == 1
    assert out.startswith("INVALID  ") and reason in out, out
