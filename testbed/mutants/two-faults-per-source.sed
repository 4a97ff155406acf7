# A fault inserts only the page that faulted: two faults per source.
# must fail: xive_mmap_test dev.fault_counts
/^		if (pfn\[i\])$/i\
\t\tif (i != eoi)\
\t\t\tcontinue;
