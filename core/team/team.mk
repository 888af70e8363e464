# core/team: team mode, several faxtop processes on one PostgreSQL store
# (the shared record; each instance's SQLite store is its cache).
core_libfaxcore_a_SOURCES += \
	core/team/team.c core/team/team.h core/team/team_int.h core/team/team_queue.h \
	core/team/team_triage.h \
	core/team/team_lead.c core/team/team_triage.c \
	core/team/team_claim.c core/team/team_claim.h
