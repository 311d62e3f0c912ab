# Models for what happens in and around a session (attendance, homework,
# check-ins, notes) live here; see the between-sessions and privacy issues.
