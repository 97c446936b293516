#!/bin/sh
# The private CA and certificates of Temporal's mTLS in docker-compose.yml (its one-shot `certs`
# job runs this; tests/services/test_temporal_tls.py runs it too). Needs openssl (added on Alpine).
#
#   $CA_DIR   (default /ca)     ca.key (0600) and ca.pem: the signing key stays in this volume,
#                               which only the `certs` job mounts
#   $CERTS_DIR (default /certs) ca.pem, and a key + certificate per party:
#       server.pem/.key  the Temporal server (frontend and internode), SAN temporal, localhost,
#                        127.0.0.1; server and client use (its own services dial each other)
#       app.pem/.key     TrendForge's API and workers (TRENDFORGE_TEMPORAL_TLS_CERT/_KEY)
#       ui.pem/.key      the Temporal UI
#       admin.pem/.key   the `temporal` CLI of the health check and the setup job
#
# Whatever exists is kept, so every later run is a no-op. A new CA (its volume deleted) reissues
# every certificate; to reissue only the leaves, delete them and run again. Leaf keys are 0644:
# the Temporal and UI images run as their own users, so isolation is by mount (read-only, only
# the stack's services), not by file mode.
set -eu

CA_DIR=${CA_DIR:-/ca}
CERTS_DIR=${CERTS_DIR:-/certs}
DAYS=${CERT_DAYS:-825}

if ! command -v openssl >/dev/null 2>&1; then
    apk add --no-cache openssl >/dev/null
fi
mkdir -p "$CA_DIR" "$CERTS_DIR"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

new_key() {
    (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1")
}

fresh_ca=no
if [ ! -s "$CA_DIR/ca.key" ] || [ ! -s "$CA_DIR/ca.pem" ]; then
    new_key "$CA_DIR/ca.key"
    openssl req -x509 -new -key "$CA_DIR/ca.key" -sha256 -days 3650 \
        -subj "/CN=TrendForge Temporal CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out "$CA_DIR/ca.pem"
    fresh_ca=yes
    echo "certs: made a new CA"
fi
cp "$CA_DIR/ca.pem" "$CERTS_DIR/ca.pem"

# leaf NAME COMMON_NAME EXTENDED_KEY_USAGE [SUBJECT_ALT_NAMES]
leaf() {
    name=$1
    if [ "$fresh_ca" = no ] && [ -s "$CERTS_DIR/$name.pem" ] && [ -s "$CERTS_DIR/$name.key" ]; then
        return 0
    fi
    new_key "$CERTS_DIR/$name.key"
    openssl req -new -key "$CERTS_DIR/$name.key" -subj "/CN=$2" -out "$work/$name.csr"
    {
        echo "basicConstraints=critical,CA:FALSE"
        echo "keyUsage=critical,digitalSignature"
        echo "extendedKeyUsage=$3"
        if [ -n "${4:-}" ]; then echo "subjectAltName=$4"; fi
    } >"$work/$name.ext"
    openssl x509 -req -in "$work/$name.csr" -CA "$CA_DIR/ca.pem" -CAkey "$CA_DIR/ca.key" \
        -set_serial "0x$(openssl rand -hex 16)" -sha256 -days "$DAYS" \
        -extfile "$work/$name.ext" -out "$CERTS_DIR/$name.pem"
    chmod 0644 "$CERTS_DIR/$name.key" "$CERTS_DIR/$name.pem"
    echo "certs: issued $name ($2)"
}

leaf server temporal serverAuth,clientAuth "DNS:temporal,DNS:localhost,IP:127.0.0.1"
leaf app trendforge clientAuth "DNS:trendforge"
leaf ui temporal-ui clientAuth "DNS:temporal-ui"
leaf admin temporal-admin clientAuth "DNS:temporal-admin"
chmod 0644 "$CERTS_DIR/ca.pem"
chmod 0600 "$CA_DIR/ca.key"
