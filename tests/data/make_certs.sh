#!/bin/sh
# Regenerates the TLS test certificates in this folder (used by
# tests/functional/test_boto_compat.py).  They are committed, so the tests need
# no openssl at run time; run this only to change or renew them:
#
#     sh tests/data/make_certs.sh
#
# All keys are RSA 2048, all signatures sha256, every certificate is valid for
# 36500 days (about 100 years) so the tests never expire.  The keys are test
# keys, unencrypted and public: never use them for anything else.
#
# Files (each certificate NAME.pem comes with its key NAME.key):
#   ca.pem             "stsboto test CA": the CA the tests trust (ca_certs=).
#   localhost.pem      server certificate for localhost, SAN DNS:localhost and
#                      IP:127.0.0.1, signed by the test CA.
#   wrong-host.pem     server certificate for wrong.example only (SAN
#                      DNS:wrong.example), signed by the test CA: the chain is
#                      trusted, the hostname is not.
#   unknown-ca.pem     "stsboto unknown CA": an unrelated CA nobody trusts.
#   unknown-localhost.pem
#                      server certificate for localhost (same SAN as
#                      localhost.pem) signed by the unknown CA.
#
# The extensions follow RFC 5280 (CA: basicConstraints critical CA:TRUE,
# keyUsage keyCertSign/cRLSign, subjectKeyIdentifier; servers: CA:FALSE,
# serverAuth, authorityKeyIdentifier), so strict verifiers (Python 3.13's
# VERIFY_X509_STRICT) accept them too.  Works with OpenSSL 1.1.1 and 3.x.
set -eu
cd "$(dirname "$0")"

DAYS=36500
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

cat > "$TMP/ext.cnf" <<'EOF'
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[localhost]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:localhost, IP:127.0.0.1

[wrong_host]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:wrong.example
EOF

serial() {
    echo "0x$(openssl rand -hex 16)"
}

# make_ca NAME "COMMON NAME"
make_ca() {
    openssl genrsa -out "$1.key" 2048 2>/dev/null
    openssl req -new -key "$1.key" -subj "/O=stsboto tests/CN=$2" -out "$TMP/$1.csr"
    openssl x509 -req -sha256 -days "$DAYS" -in "$TMP/$1.csr" -signkey "$1.key" \
        -set_serial "$(serial)" -extfile "$TMP/ext.cnf" -extensions ca -out "$1.pem"
}

# make_server NAME COMMON_NAME EXT_SECTION CA_NAME
make_server() {
    openssl genrsa -out "$1.key" 2048 2>/dev/null
    openssl req -new -key "$1.key" -subj "/O=stsboto tests/CN=$2" -out "$TMP/$1.csr"
    openssl x509 -req -sha256 -days "$DAYS" -in "$TMP/$1.csr" -CA "$4.pem" -CAkey "$4.key" \
        -set_serial "$(serial)" -extfile "$TMP/ext.cnf" -extensions "$3" -out "$1.pem"
}

make_ca ca "stsboto test CA"
make_server localhost localhost localhost ca
make_server wrong-host wrong.example wrong_host ca
make_ca unknown-ca "stsboto unknown CA"
make_server unknown-localhost localhost localhost unknown-ca

# Self-check: the chains are what the tests expect.
openssl verify -x509_strict -CAfile ca.pem localhost.pem wrong-host.pem >/dev/null
openssl verify -x509_strict -CAfile unknown-ca.pem unknown-localhost.pem >/dev/null
if openssl verify -CAfile ca.pem unknown-localhost.pem >/dev/null 2>&1; then
    echo "make_certs.sh: unknown-localhost.pem must not verify against ca.pem" >&2
    exit 1
fi
echo "certificates written to $(pwd)"
