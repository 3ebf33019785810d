"""`cccp certs ...`: check and draw certificates from the command line.

    cccp certs verify cert.json --public-key cert.pub
        Checks a downloaded /c/<id>.json offline, strictly (duplicate keys,
        non-canonical base64, unsigned fields are refused: see
        core/certs/verification.py). Prints VALID, or INVALID and the reason
        on one line; exit code 0 or 1 (2 when the input cannot be read).
    cccp certs verify <id>
        Checks a certificate in the database (DATABASE_URL) instead, as the
        web page does.
    cccp certs render <cert.json|id> -o cert.png
        Draws the certificate image from a downloaded JSON or the database.

Without --public-key the local signing key is used: CERT_SIGNING_KEY, else
the key file (data/cert_signing_key) if it exists. A key file is never created
here.

Each subcommand sets `func` (args -> exit code) on the parsed namespace.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from core import db
from core.certs import signing
from core.certs.render import render_certificate_png
from core.certs.service import (
    CertificateError,
    CertificateView,
    get_certificate,
    is_valid_public_id,
    verify_stored,
    view_from_payload,
)
from core.certs.verification import (
    CertificateRejected,
    NotACertificate,
    Verdict,
    parse_document,
    verify_document,
)
from core.settings import load_settings

EXIT_VALID, EXIT_INVALID, EXIT_UNUSABLE = 0, 1, 2


def add_parser(subparsers) -> None:
    """Add `certs verify` and `certs render` to the `cccp` parser."""
    certs = subparsers.add_parser("certs", help="check and draw certificates")
    commands = certs.add_subparsers(dest="certs_command", required=True)

    verify = commands.add_parser("verify", help="check a certificate's signature offline")
    verify.add_argument("certificate", help="a downloaded /c/<id>.json file, or a certificate id")
    verify.add_argument("--public-key", type=Path, help="PEM public key (from /keys/cert.pub)")
    verify.add_argument(
        "--key-file",
        type=Path,
        default=signing.DEFAULT_KEY_PATH,
        help="local signing key file to use when no public key is given",
    )
    verify.set_defaults(func=verify_command)

    render = commands.add_parser("render", help="draw a certificate as PNG")
    render.add_argument("certificate", help="a downloaded /c/<id>.json file, or a certificate id")
    render.add_argument("-o", "--output", type=Path, required=True, help="PNG file to write")
    render.set_defaults(func=render_command)


class UnusableInput(Exception):
    """The file, the key or the id cannot be used (exit code 2)."""


def _public_key(public_key_path: Path | None, key_file: Path = signing.DEFAULT_KEY_PATH):
    if public_key_path is not None:
        try:
            return signing.load_public_key_pem(public_key_path.read_bytes())
        except (OSError, signing.SigningKeyError) as error:
            raise UnusableInput(f"cannot read the public key: {error}") from None
    key_text = os.environ.get("CERT_SIGNING_KEY")
    if not key_text and not key_file.exists():
        raise UnusableInput("give --public-key (download it from /keys/cert.pub)")
    try:
        return signing.load_or_create_key(key_text, key_file).public_key()
    except (OSError, signing.SigningKeyError) as error:
        raise UnusableInput(f"cannot read the signing key: {error}") from None


def _read_document(path: Path) -> dict:
    """The parsed document; CertificateRejected for a duplicate key, a float, NaN."""
    try:
        return parse_document(path.read_bytes())
    except (OSError, NotACertificate) as error:
        raise UnusableInput(f"{path} is not a certificate JSON: {error}") from None


def _verdict(document: dict | CertificateView, public_key) -> Verdict:
    if isinstance(document, CertificateView):
        return verify_stored(document, public_key)
    return verify_document(document, public_key)


def verify_file(
    path: Path, public_key_path: Path | None = None, key_file: Path = signing.DEFAULT_KEY_PATH
) -> bool:
    """True when the downloaded certificate JSON at `path` is signed by the key, strictly."""
    try:
        document = _read_document(Path(path))
    except CertificateRejected:
        return False
    return verify_document(document, _public_key(public_key_path, key_file)).is_valid


async def _from_database(cert_id: str) -> CertificateView:
    if not is_valid_public_id(cert_id):
        raise UnusableInput(f"{cert_id!r} is neither a file nor a certificate id")
    await db.open_migrated_db(load_settings().database_url)
    try:
        view = await get_certificate(cert_id)
    finally:
        await db.close_db()
    if view is None:
        raise UnusableInput(f"no certificate {cert_id}")
    return view


def _load(certificate: str) -> dict | CertificateView:
    """A downloaded document (parsed strictly), or the stored certificate with this id."""
    path = Path(certificate)
    if path.is_file():
        return _read_document(path)
    return asyncio.run(_from_database(certificate))


def _label(document: dict | CertificateView, certificate: str) -> str:
    """'certificate <id>' when the id is well formed, else the argument as given."""
    if isinstance(document, CertificateView):
        return f"certificate {document.id}"
    cert_id = document.get("payload", {}).get("id") if isinstance(document, dict) else None
    if is_valid_public_id(cert_id):
        return f"certificate {cert_id}"
    return ascii(certificate) if not certificate.isprintable() else certificate


def verify_command(args: argparse.Namespace) -> int:
    """Print VALID, or INVALID and the reason; exit 0, 1, or 2 when the input is unusable."""
    try:
        document = _load(args.certificate)
        public_key = _public_key(args.public_key, args.key_file)
    except UnusableInput as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    except CertificateRejected as error:
        print(f"INVALID  {_label(None, args.certificate)}: {error}")
        return EXIT_INVALID
    verdict = _verdict(document, public_key)
    if not verdict.is_valid:
        print(f"INVALID  {_label(document, args.certificate)}: {verdict.reason}")
        return EXIT_INVALID
    payload = document.payload if isinstance(document, CertificateView) else document["payload"]
    print(
        f"VALID  certificate {payload['id']}: {payload['amount_kg']} kg CO2e "
        f"for {payload['beneficiary']} (key {signing.key_id(public_key)})"
    )
    return EXIT_VALID


def render_command(args: argparse.Namespace) -> int:
    """Write the certificate PNG to --output."""
    try:
        document = _load(args.certificate)
        view = (
            document
            if isinstance(document, CertificateView)
            else view_from_payload(document["payload"], document["signature"])
        )
    except (UnusableInput, CertificateError, CertificateRejected) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_UNUSABLE
    args.output.write_bytes(render_certificate_png(view))
    print(f"wrote {args.output}")
    return EXIT_VALID
