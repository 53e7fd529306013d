"""Argon2id sized for a small server.

Django's default Argon2 asks for 100 MiB of memory per hash, so one sign-in lifts a web worker's
resident memory past 180 MiB and keeps it there. OWASP's recommended alternative, m=19 MiB with
t=2 and p=1, is equally accepted as strong and keeps a worker under 150 MiB. Hashes made with other
parameters still verify, and are upgraded at the user's next sign-in.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class CompactArgon2PasswordHasher(Argon2PasswordHasher):
    algorithm = "argon2"  # same prefix: existing argon2 hashes stay readable
    memory_cost = 19 * 1024  # KiB
    time_cost = 2
    parallelism = 1
