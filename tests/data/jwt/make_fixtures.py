#!/usr/bin/env python3
"""Writes the JWT fixtures in this folder with tools other than onehop's: the openssl command
line signs RS256/ES256, Python's hmac signs HS256, and the JWKS members are read from openssl's
own text output. Run once; the outputs are committed. Keys are test-only."""
import base64, hashlib, hmac, json, os, re, subprocess

here = os.path.dirname(os.path.abspath(__file__))
HS256_SECRET = b"onehop fixture secret, not for production"
EXP = 4102444800  # 2100-01-01


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def openssl(*args, data=None) -> bytes:
    return subprocess.run(["openssl", *args], input=data, check=True, capture_output=True).stdout


def hex_field(text: str, name: str) -> bytes:
    m = re.search(name + r":\s*\n((?:\s+[0-9a-f:]+\n)+)", text)
    return bytes.fromhex(re.sub(r"[\s:]", "", m.group(1)))


def der_ecdsa_to_raw(der: bytes) -> bytes:
    # SEQUENCE { INTEGER r, INTEGER s }, short lengths (P-256).
    assert der[0] == 0x30
    i = 2
    out = b""
    for _ in range(2):
        assert der[i] == 0x02
        n = der[i + 1]
        out += der[i + 2 : i + 2 + n].lstrip(b"\0").rjust(32, b"\0")
        i += 2 + n
    return out


def token(header, claims, sign) -> str:
    h = b64(json.dumps(header, separators=(",", ":")).encode())
    p = b64(json.dumps(claims, separators=(",", ":")).encode())
    return h + "." + p + "." + b64(sign((h + "." + p).encode()))


rsa_key = os.path.join(here, "rsa_private.pem")
ec_key = os.path.join(here, "ec_private.pem")
if not os.path.exists(rsa_key):
    openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", rsa_key)
if not os.path.exists(ec_key):
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", ec_key)

rsa_text = openssl("pkey", "-in", rsa_key, "-text_pub", "-noout").decode()
n = hex_field(rsa_text, "Modulus").lstrip(b"\0")
e = int(re.search(r"Exponent: (\d+)", rsa_text).group(1)).to_bytes(3, "big").lstrip(b"\0")
ec_text = openssl("pkey", "-in", ec_key, "-text_pub", "-noout").decode()
point = hex_field(ec_text, "pub")
assert point[0] == 4 and len(point) == 65

jwks = {"keys": [
    {"kty": "RSA", "kid": "fixture-rsa", "use": "sig", "alg": "RS256", "n": b64(n), "e": b64(e)},
    {"kty": "EC", "kid": "fixture-ec", "crv": "P-256", "x": b64(point[1:33]), "y": b64(point[33:])},
]}
with open(os.path.join(here, "jwks.json"), "w") as f:
    json.dump(jwks, f, indent=2)
    f.write("\n")
with open(os.path.join(here, "rsa_public.pem"), "wb") as f:
    f.write(openssl("pkey", "-in", rsa_key, "-pubout"))
with open(os.path.join(here, "ec_public.pem"), "wb") as f:
    f.write(openssl("pkey", "-in", ec_key, "-pubout"))

claims = {"sub": "fixture-user", "exp": EXP, "iss": "https://id.example", "aud": "onehop"}
tokens = {
    "hs256.jwt": token({"alg": "HS256", "typ": "JWT"}, claims,
                       lambda m: hmac.new(HS256_SECRET, m, hashlib.sha256).digest()),
    "rs256.jwt": token({"alg": "RS256", "kid": "fixture-rsa"}, claims,
                       lambda m: openssl("dgst", "-sha256", "-sign", rsa_key, data=m)),
    "es256.jwt": token({"alg": "ES256", "kid": "fixture-ec"}, claims,
                       lambda m: der_ecdsa_to_raw(openssl("dgst", "-sha256", "-sign", ec_key, data=m))),
}
for name, text in tokens.items():
    with open(os.path.join(here, name), "w") as f:
        f.write(text + "\n")
