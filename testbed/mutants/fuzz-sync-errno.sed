# SOURCE_SYNC of a never-created source answers ENOENT (documented, but for a missing block) instead of EINVAL.
# must fail: xive_fuzz t0/sync:
/^static int xn_source_sync(/,/^}/s/rc = -EINVAL;/rc = -ENOENT;/
