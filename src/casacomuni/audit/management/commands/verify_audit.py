"""``casacomuni verify_audit``: check that the audit trail is whole and unaltered; exit 1 if not."""

from django.core.management.base import BaseCommand, CommandError

from casacomuni.audit.verification import append_only_triggers_active, verify_trail


class Command(BaseCommand):
    help = (
        "Walks every audit chain in order, recomputes each hash and checks the links, the sequence and the "
        "append-only triggers. Prints the first break of each chain and exits with status 1 on any problem. "
        "With --verbosity 2 it also prints each chain's head, to keep a copy outside the database."
    )

    def handle(self, *args, **options):
        result = verify_trail()
        if options["verbosity"] >= 2:
            for head in result.heads:
                self.stdout.write(f"head {head.chain} {head.sequence} {head.hash}")
        triggers_active = append_only_triggers_active()
        for broken in result.breaks:
            self.stderr.write(f"BROKEN: {broken}")
        if not triggers_active:
            self.stderr.write("BROKEN: the append-only triggers of the audit table are missing or disabled")
        if result.breaks or not triggers_active:
            raise CommandError(
                f"Audit trail verification failed: {len(result.breaks)} broken chain(s) "
                f"out of {result.chains}.",
                returncode=1,
            )
        self.stdout.write(f"OK: {result.events} events in {result.chains} chains")
