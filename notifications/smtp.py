"""One message over an open email connection, recorded as sent in the
database transaction that sees the SMTP server accept it."""

import functools
import re
import smtplib
import socket

from django.conf import settings
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address
from django.db import transaction


def smtp_transaction(smtp, from_addr, to_addrs, data, record_sent):
    """smtplib's sendmail, with the delivery recorded in a database
    transaction that spans the end of the SMTP DATA command.

    `record_sent()` runs in a transaction opened after the message data went
    out; the terminating "." is sent and the server's reply read inside it,
    and the transaction commits only on 250. A worker killed before that
    commit leaves the row claimed-but-unsent and the server without the dot
    (nothing delivered) — except in the sub-millisecond between the server
    accepting and the COMMIT reaching the database, where the message is
    delivered and will be sent again after the lease, with the same
    Message-ID. That window cannot be closed with SMTP (RFC 1047); this
    order makes a crash produce at worst a visible duplicate, never a silent
    loss, and keeps the window as short as the protocol allows.
    """
    if smtp.sock is not None:
        # The final dot is a separate small write: without TCP_NODELAY, Nagle's
        # algorithm holds it until the server's delayed ACK (~40 ms a message).
        smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    smtp.ehlo_or_helo_if_needed()
    options = [f"size={len(data)}"] if smtp.does_esmtp and smtp.has_extn("size") else []
    code, reply = smtp.mail(from_addr, options)
    if code != 250:
        smtp.close() if code == 421 else smtp.rset()
        raise smtplib.SMTPSenderRefused(code, reply, from_addr)
    refused = {}
    for address in to_addrs:
        code, reply = smtp.rcpt(address)
        if code not in (250, 251):
            refused[address] = (code, reply)
        if code == 421:
            smtp.close()
            raise smtplib.SMTPRecipientsRefused(refused)
    if len(refused) == len(to_addrs):
        smtp.rset()
        raise smtplib.SMTPRecipientsRefused(refused)
    smtp.putcmd("data")
    code, reply = smtp.getreply()
    if code != 354:
        smtp.close() if code == 421 else smtp.rset()
        raise smtplib.SMTPDataError(code, reply)
    quoted = re.sub(rb"(?m)^\.", b"..", data)
    if not quoted.endswith(b"\r\n"):
        quoted += b"\r\n"
    smtp.send(quoted)
    with transaction.atomic():
        record_sent()
        smtp.send(b".\r\n")
        code, reply = smtp.getreply()
        if code != 250:  # roll the record back
            smtp.close() if code == 421 else smtp.rset()
            raise smtplib.SMTPDataError(code, reply)


def reply_code(exc):
    """(SMTP reply code or None, reply text) of a failed send."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
        return code, text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        return exc.smtp_code, text.decode(errors="replace") if isinstance(text, bytes) else str(text)
    return None, str(exc)


SIMPLE_ADDRESS = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+")


@functools.lru_cache(maxsize=64)
def envelope_address(address):
    if SIMPLE_ADDRESS.fullmatch(address):
        return address
    return sanitize_address(address, settings.DEFAULT_CHARSET)


def is_smtp(connection):
    return isinstance(connection, SMTPBackend)


def send(connection, outgoing, record_sent):
    """Send `outgoing` (a notifications.delivery.Outgoing) over the open
    `connection`; `record_sent()` runs once the message is accepted (over
    SMTP: inside smtp_transaction's transaction)."""
    if is_smtp(connection):
        if connection.connection is None:  # closed after an earlier failure
            connection.open()
        smtp_transaction(
            connection.connection,
            envelope_address(settings.DEFAULT_FROM_EMAIL),
            [envelope_address(outgoing.address)],
            outgoing.as_bytes(),
            record_sent,
        )
    else:  # console, locmem, file...: nothing can half-happen
        if not connection.send_messages([outgoing.message(connection)]):
            raise smtplib.SMTPException("the email backend sent nothing")
        record_sent()
