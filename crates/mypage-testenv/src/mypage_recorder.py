"""An aiosmtpd handler for the mail tests: it keeps each accepted message as a file, and answers by recipient.

Recipients whose local part starts with `tempfail` get 451 at RCPT, those starting with `reject` get 550;
everyone else is accepted. The SMTP server itself is aiosmtpd's; this file only decides and records.
"""

import os
import uuid


class Recorder:
    def __init__(self, directory):
        self.directory = directory

    @classmethod
    def from_cli(cls, parser, *args):
        return cls(args[0])

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@")[0]
        if local.startswith("tempfail"):
            return "451 4.3.0 Mailbox busy, try again later"
        if local.startswith("reject"):
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        name = uuid.uuid4().hex
        partial = os.path.join(self.directory, "." + name)
        with open(partial, "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(partial, os.path.join(self.directory, name + ".eml"))
        return "250 2.0.0 Message accepted"
