#!/usr/bin/env python3
"""Writes the signature test vectors in ../resources/vectors/ with the Python standard library only.

The vectors are computed here, independently of the Java code, so that the Java tests check the SDK
against a second implementation. Run it from any directory: python3 generate.py
Signed tokens reproduce the JSON the Java side emits (nimbus-jose-jwt: compact JSON, its own claim
order); verification never depends on that order, exact signing does.
"""
import base64
import hashlib
import hmac
import json
import os
from urllib.parse import quote

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "vectors")

SECRET = "vector-secret-0123456789abcdef-0001"
ROTATED = "vector-secret-rotated-abcdef-000002"
WRONG = "an-entirely-different-secret-xyz-999"
T = 1700000000


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def compact(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def jwt(header, claims, secret, alg="sha256"):
    signing_input = b64url(compact(header)) + "." + b64url(compact(claims))
    if secret is None:
        return signing_input + "."
    mac = hmac.new(secret.encode(), signing_input.encode(), getattr(hashlib, alg)).digest()
    return signing_input + "." + b64url(mac)


HS256 = {"alg": "HS256"}


def flowdock_claims(user, body: bytes, signed_at, digest=None):
    # nimbus-jose-jwt writes these claims in this order
    return {
        "exp": signed_at + 30,
        "sub": user,
        "signature": digest if digest is not None else hashlib.sha256(body).hexdigest(),
    }


def event_claims(app, user, signed_at, jti, lifetime=3600):
    # nimbus-jose-jwt writes these claims in this order
    return {"exp": signed_at + lifetime, "userId": user, "iat": signed_at, "jti": jti, "appId": app}


def flowdock():
    body = compact(
        {
            "@type": "UpdateAction",
            "name": "Assign to me",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": "https://app.example/issues/42/assign-to-me",
                "httpMethod": "POST",
            },
            "agent": {"@type": "Person", "name": "Alyssa P. Hacker", "image": "https://img.example/a.png"},
        }
    ).decode()
    tampered = body.replace("Assign to me", "Assign to mE")
    assert len(tampered) == len(body) and tampered != body
    b = body.encode()
    claims = flowdock_claims("u:42", b, T)
    good = jwt(HS256, claims, SECRET)
    tampered_sig = good[:-10] + ("A" if good[-10] != "A" else "B") + good[-9:]
    rs256_sig = b64url(hashlib.sha512(b"not an RSA signature").digest() * 4)
    cases = [
        dict(name="signed and valid", sign=True, secrets=[SECRET], userId="u:42", body=body,
             signedAt=T, token=good, now=T + 5, expect={"valid": True, "userId": "u:42"}),
        dict(name="signed by the second secret during rotation", sign=True, secrets=[SECRET, ROTATED],
             signingSecret=ROTATED, userId="u:42", body=body, signedAt=T,
             token=jwt(HS256, claims, ROTATED), now=T + 5, expect={"valid": True, "userId": "u:42"}),
        dict(name="last second of exp plus skew", secrets=[SECRET], body=body, token=good,
             now=T + 30 + 30, expect={"valid": True, "userId": "u:42"}),
        dict(name="expired", secrets=[SECRET], body=body, token=good, now=T + 30 + 31,
             expect={"valid": False, "check": "EXPIRED"}),
        dict(name="body changed by one byte", secrets=[SECRET], body=tampered, token=good, now=T + 5,
             expect={"valid": False, "check": "BODY_DIGEST"}),
        dict(name="empty body instead of the signed one", secrets=[SECRET], body="", token=good,
             now=T + 5, expect={"valid": False, "check": "BODY_DIGEST"}),
        dict(name="digest in uppercase hex", secrets=[SECRET], body=body,
             token=jwt(HS256, flowdock_claims("u:42", b, T, hashlib.sha256(b).hexdigest().upper()), SECRET),
             now=T + 5, expect={"valid": False, "check": "BODY_DIGEST"}),
        dict(name="wrong secret", secrets=[SECRET], body=body, token=jwt(HS256, claims, WRONG), now=T + 5,
             expect={"valid": False, "check": "SIGNATURE"}),
        dict(name="signature changed", secrets=[SECRET], body=body, token=tampered_sig, now=T + 5,
             expect={"valid": False, "check": "SIGNATURE"}),
        dict(name="alg none", secrets=[SECRET], body=body, token=jwt({"alg": "none"}, claims, None),
             now=T + 5, expect={"valid": False, "check": "ALGORITHM"}),
        dict(name="alg none with a signature part", secrets=[SECRET], body=body,
             token=jwt({"alg": "none"}, claims, None) + good.rsplit(".", 1)[1], now=T + 5,
             expect={"valid": False, "check": "ALGORITHM"}),
        dict(name="alg nOnE", secrets=[SECRET], body=body, token=jwt({"alg": "nOnE"}, claims, SECRET),
             now=T + 5, expect={"valid": False, "check": "ALGORITHM"}),
        dict(name="HS512 with the right secret", secrets=[SECRET], body=body,
             token=jwt({"alg": "HS512"}, claims, SECRET, "sha512"), now=T + 5,
             expect={"valid": False, "check": "ALGORITHM"}),
        dict(name="RS256-shaped header", secrets=[SECRET], body=body,
             token=b64url(compact({"alg": "RS256", "typ": "JWT"})) + "." + b64url(compact(claims)) + "." + rs256_sig,
             now=T + 5, expect={"valid": False, "check": "ALGORITHM"}),
        dict(name="no signature claim", secrets=[SECRET], body=body,
             token=jwt(HS256, {"exp": T + 30, "sub": "u:42"}, SECRET), now=T + 5,
             expect={"valid": False, "check": "CLAIM"}),
        dict(name="no exp claim", secrets=[SECRET], body=body,
             token=jwt(HS256, {"sub": "u:42", "signature": hashlib.sha256(b).hexdigest()}, SECRET),
             now=T + 5, expect={"valid": False, "check": "CLAIM"}),
        dict(name="no sub claim", secrets=[SECRET], body=body,
             token=jwt(HS256, {"exp": T + 30, "signature": hashlib.sha256(b).hexdigest()}, SECRET),
             now=T + 5, expect={"valid": False, "check": "CLAIM"}),
        dict(name="not a JWT", secrets=[SECRET], body=body, token="not-a-jwt", now=T + 5,
             expect={"valid": False, "check": "MALFORMED"}),
        dict(name="three parts of garbage", secrets=[SECRET], body=body, token="a.b.c", now=T + 5,
             expect={"valid": False, "check": "MALFORMED"}),
        dict(name="empty", secrets=[SECRET], body=body, token="", now=T + 5,
             expect={"valid": False, "check": "MISSING"}),
    ]
    return {
        "description": "FLOWDOCK-TOKEN: HS256 JWT with sub, exp = signedAt + 30 and signature = lowercase "
        "hex SHA-256 of the body bytes (UTF-8 of 'body'). Verify with all 'secrets' at 'now' (epoch "
        "seconds) and a skew of 'skewSeconds'. Cases with sign=true also check that signing "
        "(signingSecret, else secrets[0]; userId; body; signedAt) yields exactly 'token'.",
        "skewSeconds": 30,
        "cases": cases,
    }


def events():
    user = "u:cfc76545-3400-4864-892a-513a9f4ae409"
    claims = event_claims("app-7", user, T, "jti-0001")
    good = jwt(HS256, claims, SECRET)
    install = compact({"name": "app.install", "userId": user, "token": "install-credential-1"}).decode()
    slash = compact({"name": "client.slashCommand", "userId": user, "userName": "Alyssa P. Hacker",
                     "chat": "g:1234", "chatName": "Team", "command": "todo", "text": "buy milk"}).decode()
    press = compact({"name": "client.pressButton", "button": "chatTabButton", "userId": user,
                     "userName": "Alyssa P. Hacker", "chat": "u:guid2", "chatName": "Ben Bitdiddle"}).decode()
    other = compact({"name": "client.pressButton", "button": "chatTabButton", "userId": "u:someone-else"}).decode()
    cases = [
        dict(name="signed and valid, app.install", sign=True, secrets=[SECRET], appId="app-7", userId=user,
             jti="jti-0001", signedAt=T, token=good, now=T + 5, body=install,
             expect={"valid": True, "appId": "app-7", "userId": user, "jti": "jti-0001", "event": "app.install"}),
        dict(name="signed by the second secret during rotation", sign=True, secrets=[SECRET, ROTATED],
             signingSecret=ROTATED, appId="app-7", userId=user, jti="jti-0001", signedAt=T,
             token=jwt(HS256, claims, ROTATED), now=T + 5, body=slash,
             expect={"valid": True, "appId": "app-7", "userId": user, "jti": "jti-0001",
                     "event": "client.slashCommand"}),
        dict(name="body names another user", secrets=[SECRET], token=good, now=T + 5,
             body=compact({"name": "app.install", "userId": "u:someone-else", "token": "x"}).decode(),
             expect={"valid": False, "check": "USER_MISMATCH"}),
        dict(name="body without userId", secrets=[SECRET], token=good, now=T + 5,
             body=compact({"name": "app.uninstall"}).decode(), expect={"valid": False, "check": "USER_MISMATCH"}),
        dict(name="body is not JSON", secrets=[SECRET], token=good, now=T + 5, body="{\"name\":",
             expect={"valid": False, "check": "MALFORMED"}),
        dict(name="last second of exp plus skew", secrets=[SECRET], token=good, now=T + 3600 + 30,
             expect={"valid": True, "appId": "app-7", "userId": user, "jti": "jti-0001"}),
        dict(name="expired", secrets=[SECRET], token=good, now=T + 3600 + 31,
             expect={"valid": False, "check": "EXPIRED"}),
        dict(name="issued in the future", secrets=[SECRET], token=good, now=T - 31,
             expect={"valid": False, "check": "NOT_YET_VALID"}),
        dict(name="wrong secret", secrets=[SECRET], token=jwt(HS256, claims, WRONG), now=T + 5,
             expect={"valid": False, "check": "SIGNATURE"}),
        dict(name="alg none", secrets=[SECRET], token=jwt({"alg": "none"}, claims, None), now=T + 5,
             expect={"valid": False, "check": "ALGORITHM"}),
        dict(name="HS512 with the right secret", secrets=[SECRET],
             token=jwt({"alg": "HS512"}, claims, SECRET, "sha512"), now=T + 5,
             expect={"valid": False, "check": "ALGORITHM"}),
        dict(name="RS256-shaped header", secrets=[SECRET],
             token=b64url(compact({"alg": "RS256", "typ": "JWT"})) + "." + b64url(compact(claims)) + "."
             + b64url(hashlib.sha512(b"not an RSA signature").digest() * 4),
             now=T + 5, expect={"valid": False, "check": "ALGORITHM"}),
        dict(name="no userId claim", secrets=[SECRET],
             token=jwt(HS256, {"exp": T + 3600, "iat": T, "jti": "j", "appId": "app-7"}, SECRET), now=T + 5,
             expect={"valid": False, "check": "CLAIM"}),
        dict(name="not a JWT", secrets=[SECRET], token="eyJhbGciOiJIUzI1NiJ9", now=T + 5,
             expect={"valid": False, "check": "MALFORMED"}),
        dict(name="empty", secrets=[SECRET], token="", now=T + 5, expect={"valid": False, "check": "MISSING"}),
    ]
    query = ("flockEventToken=" + quote(good, safe="") + "&flockClient=desktop&flockWidgetType=modal"
             + "&flockEvent=" + quote(press, safe=""))
    widget = [
        dict(name="client.pressButton opened in a modal", secrets=[SECRET], query=query, now=T + 5,
             expect={"valid": True, "event": "client.pressButton", "userId": user, "client": "desktop",
                     "widgetType": "modal"}),
        dict(name="app.install never goes to a widget", secrets=[SECRET], now=T + 5,
             query="flockEvent=" + quote(install, safe="") + "&flockEventToken=" + quote(good, safe=""),
             expect={"valid": False, "check": "MALFORMED"}),
        dict(name="event of another user", secrets=[SECRET], now=T + 5,
             query="flockEvent=" + quote(other, safe="") + "&flockEventToken=" + quote(good, safe=""),
             expect={"valid": False, "check": "USER_MISMATCH"}),
        dict(name="no token", secrets=[SECRET], now=T + 5, query="flockEvent=" + quote(press, safe=""),
             expect={"valid": False, "check": "MISSING"}),
        dict(name="no event", secrets=[SECRET], now=T + 5, query="flockEventToken=" + quote(good, safe=""),
             expect={"valid": False, "check": "MISSING"}),
    ]
    return {
        "description": "Flock event token: HS256 JWT with appId, userId, iat = signedAt, exp = signedAt + "
        "3600, jti. Verify with all 'secrets' at 'now' and a skew of 'skewSeconds'; when 'body' is present "
        "also check the event body (its userId must equal the token's). Cases with sign=true also check "
        "that signing (signingSecret, else secrets[0]; appId; userId; signedAt; jti) yields exactly "
        "'token'. 'widgetCases' are raw query strings of a widget or browser URL.",
        "skewSeconds": 30,
        "cases": cases,
        "widgetCases": widget,
    }


def sw_sig(key: bytes, msg_id, ts, body: bytes):
    return base64.b64encode(hmac.new(key, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()).decode()


def whsec(key: bytes):
    return "whsec_" + base64.b64encode(key).decode()


def standard_webhooks():
    spec_key = base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    spec_body = '{"test": 2432232314}'
    spec_sig = sw_sig(spec_key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, spec_body.encode())
    assert spec_sig == "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    body = compact({"action": "Finish", "user": {"id": "abc123", "email": "user@example.com",
                                                 "first_name": "Example", "last_name": "User"},
                    "task": {"Stage": "Completed", "Company ID": "42"}}).decode()
    b = body.encode()
    key, rotated, wrong = SECRET.encode(), ROTATED.encode(), WRONG.encode()
    # 32 bytes that are not UTF-8: only the whsec_ form can carry them.
    binary = hashlib.sha256(b"backchannel binary secret").digest()
    try:
        binary.decode("utf-8")
        raise SystemExit("pick another binary secret")
    except UnicodeDecodeError:
        pass
    mid = "msg_2Ldxyz0001"

    def headers(sig, ts=T, msg=mid):
        return {"webhook-id": msg, "webhook-timestamp": str(ts), "webhook-signature": sig}

    one = "v1," + sw_sig(key, mid, T, b)
    cases = [
        dict(name="signed and valid", sign=True, secrets=[whsec(key)], id=mid, timestamp=T, body=body,
             headers=headers(one), now=T + 5, expect={"valid": True}),
        dict(name="two signatures while a secret is rotated", sign=True, secrets=[whsec(key), whsec(rotated)],
             id=mid, timestamp=T, body=body,
             headers=headers(one + " v1," + sw_sig(rotated, mid, T, b)), now=T + 5, expect={"valid": True}),
        dict(name="only the new secret is known to the receiver", secrets=[whsec(rotated)], body=body,
             headers=headers(one + " v1," + sw_sig(rotated, mid, T, b)), now=T + 5, expect={"valid": True}),
        dict(name="plain secret form", secrets=[SECRET], body=body, headers=headers(one), now=T + 5,
             expect={"valid": True}),
        dict(name="32-byte secret that is not UTF-8", sign=True, secrets=[whsec(binary)], id=mid, timestamp=T,
             body=body, headers=headers("v1," + sw_sig(binary, mid, T, b)), now=T + 5, expect={"valid": True}),
        dict(name="oldest accepted timestamp", secrets=[SECRET], body=body, headers=headers(one), now=T + 300,
             expect={"valid": True}),
        dict(name="timestamp too old", secrets=[SECRET], body=body, headers=headers(one), now=T + 301,
             expect={"valid": False, "check": "EXPIRED"}),
        dict(name="timestamp in the future", secrets=[SECRET], body=body, headers=headers(one), now=T - 301,
             expect={"valid": False, "check": "NOT_YET_VALID"}),
        dict(name="body changed by one byte", secrets=[SECRET], body=body.replace("42", "43"),
             headers=headers(one), now=T + 5, expect={"valid": False, "check": "SIGNATURE"}),
        dict(name="id changed", secrets=[SECRET], body=body, headers=headers(one, msg="msg_2Ldxyz0002"),
             now=T + 5, expect={"valid": False, "check": "SIGNATURE"}),
        dict(name="wrong secret", secrets=[WRONG], body=body, headers=headers(one), now=T + 5,
             expect={"valid": False, "check": "SIGNATURE"}),
        dict(name="right MAC under another version", secrets=[SECRET], body=body,
             headers=headers("v2," + sw_sig(key, mid, T, b)), now=T + 5,
             expect={"valid": False, "check": "SIGNATURE"}),
        dict(name="timestamp not a number", secrets=[SECRET], body=body, headers=headers(one, ts="soon"),
             now=T + 5, expect={"valid": False, "check": "MALFORMED"}),
        dict(name="no signature header", secrets=[SECRET], body=body,
             headers={"webhook-id": mid, "webhook-timestamp": str(T)}, now=T + 5,
             expect={"valid": False, "check": "MISSING"}),
    ]
    return {
        "description": "Standard Webhooks: webhook-signature = space-separated 'v1,' + base64 HMAC-SHA256 "
        "of 'id.timestamp.body' keyed by the secret's bytes (the base64 after whsec_, or the UTF-8 of a "
        "plain secret). Verify at 'now' with a tolerance of 'toleranceSeconds'. Cases with sign=true also "
        "check that signing (all secrets, in order; id; timestamp; body) yields exactly 'headers'.",
        "toleranceSeconds": 300,
        "specExample": {
            "source": "https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md",
            "note": "The spec's secret has 24 bytes; AppSecret requires 32 (HS256 needs them), so the "
            "example checks the HMAC construction itself.",
            "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "timestamp": 1614265330,
            "body": spec_body,
            "signature": "v1," + spec_sig,
        },
        "cases": cases,
    }


def write(name, data):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    write("flowdock-token.json", flowdock())
    write("event-token.json", events())
    write("standard-webhooks.json", standard_webhooks())
