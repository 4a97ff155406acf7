# EQ get reports the queue one entry behind: a migration's restored queue overwrites the last entry in flight.
# must fail: xive_state_test global.eq_sync_in_flight
/^						 &eq\.qindex);$/a\
\t\tif (!rc && eq.qindex)\
\t\t\teq.qindex--;
