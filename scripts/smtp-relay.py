#!/usr/bin/python3
"""A real SMTP server for the tests: accepts mail on loopback and delivers it into the private
Dovecot over LMTP. Started and stopped by scripts/mail-servers.sh."""
import asyncio
import smtplib
import sys

from aiosmtpd.controller import Controller


class RelayToLmtp:
    def __init__(self, lmtp_port):
        self.lmtp_port = lmtp_port

    async def handle_DATA(self, server, session, envelope):
        def deliver():
            with smtplib.LMTP("127.0.0.1", self.lmtp_port) as lmtp:
                return lmtp.sendmail(envelope.mail_from, envelope.rcpt_tos, envelope.original_content)

        try:
            refused = await asyncio.get_running_loop().run_in_executor(None, deliver)
        except smtplib.SMTPRecipientsRefused:
            return "550 no such mailbox"
        except (smtplib.SMTPException, OSError) as e:
            return f"451 delivery failed: {e}"
        return "250 OK" if not refused else "550 some recipients refused"


def main():
    smtp_port, lmtp_port = int(sys.argv[1]), int(sys.argv[2])
    controller = Controller(RelayToLmtp(lmtp_port), hostname="127.0.0.1", port=smtp_port,
                            data_size_limit=60 * 1024 * 1024)
    controller.start()
    try:
        asyncio.get_event_loop().run_forever()
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
