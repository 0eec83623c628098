"""aiosmtpd handler used by branchwatch's mail tests.

A Maildir like aiosmtpd.handlers.Mailbox, except that recipients whose
address contains "reject" get a permanent 550 and those containing
"tempfail" a transient 451, so the tests can see how delivery classifies
real SMTP replies. Run with PYTHONPATH set to this directory:
    python3 -m aiosmtpd -n -l 127.0.0.1:PORT -c smtp_reject.RejectingMailbox MAILDIR
"""

from aiosmtpd.handlers import Mailbox


class RejectingMailbox(Mailbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "reject" in address:
            return "550 5.1.1 <%s>: recipient address rejected" % address
        if "tempfail" in address:
            return "451 4.3.0 <%s>: try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"
