#!/usr/bin/env bash
# Sourced by scripts/test.sh: a private, loopback-only Dovecot (IMAP + LMTP) with a passwd-file
# user database and Maildirs in a temporary directory, and a real SMTP server (aiosmtpd) that
# delivers into it over LMTP. Installs Debian's packages when missing; registers its stop in the
# caller's FRONTDESK_CLEANUP. Exports:
#   FRONTDESK_TEST_IMAP_PORT (plain and STARTTLS), FRONTDESK_TEST_IMAPS_PORT (implicit TLS),
#   FRONTDESK_TEST_SMTP_PORT, FRONTDESK_TEST_MAIL_DIR, FRONTDESK_TEST_CA (the test CA, PEM)
# Any user name logs in with the password "secret" and gets its own Maildir.

start_mail_servers() {
    if ! command -v dovecot >/dev/null 2>&1 || ! /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null; then
        echo "installing Dovecot and aiosmtpd" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q dovecot-imapd dovecot-lmtpd python3-aiosmtpd >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null && apt-get install -y -q dovecot-imapd dovecot-lmtpd python3-aiosmtpd >/dev/null; }
    fi
    id frontdesk-mail >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin frontdesk-mail
    local dir uid gid imap lmtp smtp
    dir=$(mktemp -d /tmp/frontdesk-mail.XXXXXX)
    chmod 755 "$dir"
    uid=$(id -u frontdesk-mail)
    gid=$(id -g frontdesk-mail)
    read -r imap lmtp smtp imaps < <(/usr/bin/python3 -c '
import socket
ports = []
socks = []
for _ in range(4):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s); ports.append(s.getsockname()[1])
print(*ports)')
    mkdir -p "$dir/run" "$dir/state" "$dir/mail" "$dir/home" "$dir/tls"
    # A private CA and a certificate for 127.0.0.1/localhost, so the TLS paths are tested too.
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Frontdesk Test CA" \
        -keyout "$dir/tls/ca.key" -out "$dir/tls/ca.pem" >/dev/null 2>&1
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
        -keyout "$dir/tls/server.key" -out "$dir/tls/server.csr" >/dev/null 2>&1
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > "$dir/tls/ext"
    openssl x509 -req -in "$dir/tls/server.csr" -CA "$dir/tls/ca.pem" -CAkey "$dir/tls/ca.key" \
        -CAcreateserial -days 2 -extfile "$dir/tls/ext" -out "$dir/tls/server.pem" >/dev/null 2>&1
    chmod 644 "$dir/tls/"*
    chown frontdesk-mail:frontdesk-mail "$dir/mail" "$dir/home"
    cat > "$dir/dovecot.conf" <<CONF
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
instance_name = frontdesk-test-$$
protocols = imap lmtp
listen = 127.0.0.1
ssl = yes
ssl_cert = <$dir/tls/server.pem
ssl_key = <$dir/tls/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$dir/mail/%u
mail_uid = $uid
mail_gid = $gid
first_valid_uid = $uid
default_internal_user = dovecot
default_login_user = dovenull
# Any user, password "secret": each test gets a mailbox of its own just by using a new name.
passdb {
  driver = static
  args = password=secret
}
userdb {
  driver = static
  args = uid=$uid gid=$gid home=$dir/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $imaps
    ssl = yes
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0666
  }
  inet_listener lmtp {
    address = 127.0.0.1
    port = $lmtp
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
}
protocol imap {
  mail_max_userip_connections = 100
}
CONF
    dovecot -c "$dir/dovecot.conf"
    /usr/bin/python3 scripts/smtp-relay.py "$smtp" "$lmtp" >"$dir/smtp.log" 2>&1 &
    echo $! > "$dir/smtp.pid"
    FRONTDESK_MAIL_SERVERS_DIR="$dir"
    FRONTDESK_CLEANUP+=(stop_mail_servers)
    for _ in $(seq 1 50); do
        if /usr/bin/python3 -c "import socket,sys; [socket.create_connection(('127.0.0.1', p), 0.2).close() for p in ($imap, $smtp)]" 2>/dev/null; then
            break
        fi
        sleep 0.1
    done
    export FRONTDESK_TEST_IMAP_PORT=$imap FRONTDESK_TEST_SMTP_PORT=$smtp FRONTDESK_TEST_MAIL_DIR="$dir/mail"
    export FRONTDESK_TEST_IMAPS_PORT=$imaps FRONTDESK_TEST_CA="$dir/tls/ca.pem"
}

stop_mail_servers() {
    local dir=${FRONTDESK_MAIL_SERVERS_DIR:-}
    [ -n "$dir" ] || return 0
    [ -f "$dir/smtp.pid" ] && kill "$(cat "$dir/smtp.pid")" 2>/dev/null
    doveadm -c "$dir/dovecot.conf" stop 2>/dev/null || pkill -f "dovecot -c $dir/dovecot.conf" 2>/dev/null
    rm -rf "$dir"
}
