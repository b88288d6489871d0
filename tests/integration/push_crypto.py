# push_crypto.py - the cryptography the push mocks check requests with, written from
# the RFCs in Python (python3-cryptography for the primitives), independently of the
# C++ adapters, so that one misreading of a spec does not hide in both:
#
#   JWS/JWT (RFC 7515/7518)  jwt_parts, make_jwt; ES256 with the raw r||s signature
#                            (APNs provider tokens, VAPID), RS256 (Google OAuth2 grants)
#   RFC 8291 over RFC 8188   webpush_decrypt (what WebPushMock does to each body) and
#                            webpush_encrypt (for the self-check), one aes128gcm record
#   RFC 8292                 vapid_authorization: the "vapid t=..., k=..." header value
#   key material             make_apns_key (a .p8), apns_provider_token,
#                            make_service_account (FCM), tls_files (a CA and a server
#                            certificate for 127.0.0.1)
#
# test_push_mocks.py checks these against RFC 8291 Appendix A and RFC 8292 §2.4.

import base64
import datetime
import ipaddress
import json
import os
import re
import time
import uuid

from cryptography import x509
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (decode_dss_signature,
                                                             encode_dss_signature)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# --- base64url and JWTs (RFC 7515/7518) -------------------------------------------------------

_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64u(data):
    """base64url without padding, as JWS and RFC 8291 use it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64u_decode(text):
    """Strict: only the URL-safe alphabet, no padding."""
    if isinstance(text, bytes):
        text = text.decode("ascii")
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError(f"not base64url: {text[:40]!r}")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def compact_json(obj):
    """JSON without spaces, as JWS segments and the vendors' examples are written."""
    return json.dumps(obj, separators=(",", ":")).encode()


def jwt_parts(token):
    """(header, claims, signing input, signature bytes) of a compact JWS; ValueError
    when it is not three base64url segments with JSON objects in the first two."""
    pieces = token.split(".")
    if len(pieces) != 3:
        raise ValueError("a JWT has three segments")
    header, claims = (json.loads(b64u_decode(p)) for p in pieces[:2])
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise ValueError("JWT header and claims must be JSON objects")
    return header, claims, f"{pieces[0]}.{pieces[1]}".encode(), b64u_decode(pieces[2])


def es256_sign(private_key, data):
    """JWS ES256: the raw r||s (32 bytes each), not DER (RFC 7518 §3.4)."""
    r, s = decode_dss_signature(private_key.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def es256_verify(public_key, data, signature):
    if len(signature) != 64:
        return False
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"),
                               int.from_bytes(signature[32:], "big"))
    try:
        public_key.verify(der, data, ec.ECDSA(hashes.SHA256()))
        return True
    except InvalidSignature:
        return False


def rs256_verify(public_key, data, signature):
    try:
        public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        return True
    except InvalidSignature:
        return False


def make_jwt(header, claims, sign):
    """sign(signing input) -> signature bytes."""
    signing_input = f"{b64u(compact_json(header))}.{b64u(compact_json(claims))}".encode()
    return f"{signing_input.decode()}.{b64u(sign(signing_input))}"


def p256_raw(public_key):
    """The 65-byte uncompressed point (0x04 || x || y)."""
    return public_key.public_bytes(serialization.Encoding.X962,
                                   serialization.PublicFormat.UncompressedPoint)


def p256_public(raw):
    """A public key from its uncompressed point; ValueError if it is not one on P-256."""
    if len(raw) != 65 or raw[0] != 4:
        raise ValueError("not a 65-byte uncompressed P-256 point")
    return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)


def p256_private(raw):
    return ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())


# --- RFC 8291 (Web Push message encryption) over RFC 8188 aes128gcm ----------------------------


def _hkdf(salt, ikm, info, length):
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def webpush_ikm(ecdh_secret, auth_secret, ua_public, as_public):
    """RFC 8291 §3.3-3.4: IKM = HKDF(auth_secret, ecdh_secret, "WebPush: info" 0 ua as)."""
    return _hkdf(auth_secret, ecdh_secret, b"WebPush: info\x00" + ua_public + as_public, 32)


def aes128gcm_keys(ikm, salt):
    """RFC 8188 §2.2-2.3: (CEK, NONCE); one record, so the nonce is used as it is."""
    return (_hkdf(salt, ikm, b"Content-Encoding: aes128gcm\x00", 16),
            _hkdf(salt, ikm, b"Content-Encoding: nonce\x00", 12))


def webpush_decrypt(body, ua_private, auth_secret):
    """The plaintext of an aes128gcm Web Push body; ValueError saying what is wrong."""
    if len(body) < 21:
        raise ValueError(f"{len(body)} bytes is shorter than the aes128gcm header")
    salt, rs, idlen = body[:16], int.from_bytes(body[16:20], "big"), body[20]
    if rs < 18:
        raise ValueError(f"record size {rs} is below 18")
    if idlen != 65:
        raise ValueError(f"keyid is {idlen} bytes, not the 65-byte application server key")
    as_public, ciphertext = body[21:86], body[86:]
    if not 17 <= len(ciphertext) <= rs:
        raise ValueError(f"{len(ciphertext)} bytes of ciphertext is not one record of at most {rs}")
    as_key = p256_public(as_public)
    ecdh_secret = ua_private.exchange(ec.ECDH(), as_key)
    ikm = webpush_ikm(ecdh_secret, auth_secret, p256_raw(ua_private.public_key()), as_public)
    cek, nonce = aes128gcm_keys(ikm, salt)
    try:
        padded = AESGCM(cek).decrypt(nonce, ciphertext, None)
    except InvalidTag:
        raise ValueError("AES-GCM tag does not verify (wrong keys or a damaged body)") from None
    content = padded.rstrip(b"\x00")
    if not content or content[-1] != 2:
        raise ValueError("the record does not end with the 0x02 last-record delimiter")
    return content[:-1]


def webpush_encrypt(plaintext, ua_public, auth_secret, as_private=None, salt=None, rs=4096):
    """The client side, for the self-check: one aes128gcm record."""
    as_private = as_private or ec.generate_private_key(ec.SECP256R1())
    salt = salt or os.urandom(16)
    as_public = p256_raw(as_private.public_key())
    ecdh_secret = as_private.exchange(ec.ECDH(), p256_public(ua_public))
    cek, nonce = aes128gcm_keys(webpush_ikm(ecdh_secret, auth_secret, ua_public, as_public), salt)
    header = salt + rs.to_bytes(4, "big") + bytes([65]) + as_public
    return header + AESGCM(cek).encrypt(nonce, plaintext + b"\x02", None)


def vapid_authorization(private_key, aud, sub="mailto:ops@example.com", exp=None):
    """Authorization header value of RFC 8292 §3: vapid t=JWT, k=public key."""
    claims = {"aud": aud, "exp": int(exp if exp is not None else time.time() + 12 * 3600)}
    if sub is not None:
        claims["sub"] = sub
    token = make_jwt({"typ": "JWT", "alg": "ES256"}, claims,
                     lambda data: es256_sign(private_key, data))
    return f"vapid t={token}, k={b64u(p256_raw(private_key.public_key()))}"


# --- key material for the tests ------------------------------------------------------------


def make_apns_key(path):
    """A P-256 key written as Apple's .p8 (PKCS#8 PEM); returns the private key (its
    public_key() is what ApnsMock verifies with)."""
    key = ec.generate_private_key(ec.SECP256R1())
    with open(path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return key


def apns_provider_token(private_key, team_id, key_id, iat=None):
    """The provider JWT of providers.md §7 (what the adapter should send)."""
    claims = {"iss": team_id, "iat": int(iat if iat is not None else time.time())}
    return make_jwt({"alg": "ES256", "kid": key_id}, claims,
                    lambda data: es256_sign(private_key, data))


def make_service_account(project_id, token_uri, client_email=None):
    """(service-account JSON as a dict, its RSA 2048 private key)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    email = client_email or f"notify-push@{project_id}.iam.gserviceaccount.com"
    info = {"type": "service_account", "project_id": project_id,
            "private_key_id": uuid.uuid4().hex + uuid.uuid4().hex[:8], "private_key": pem,
            "client_email": email, "client_id": str(int.from_bytes(os.urandom(8), "big")),
            "auth_uri": "https://accounts.google.com/o/oauth2/auth", "token_uri": token_uri}
    return info, key


def write_json(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2)
    return path


def tls_files(directory):
    """A throwaway CA (ca.pem) and a server certificate it signed for 127.0.0.1 and
    localhost (server.pem, server.key)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "notify push mock CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(hours=1))
          .not_valid_after(now + datetime.timedelta(days=2))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                         critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                         critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = [os.path.join(directory, n) for n in ("ca.pem", "server.pem", "server.key")]
    for path, data in zip(paths, (ca.public_bytes(serialization.Encoding.PEM),
                                  cert.public_bytes(serialization.Encoding.PEM),
                                  key.private_bytes(serialization.Encoding.PEM,
                                                    serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption()))):
        with open(path, "wb") as f:
            f.write(data)
    return paths
