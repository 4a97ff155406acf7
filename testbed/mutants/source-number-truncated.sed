# The 64-bit source number is cut to 32 bits: 2^32 configures source 0.
# must fail: xive_abi_test bad.config_irq_2pow32.rejected
s/^xn_find_sb(struct kvmppc_xive \*xive, u64 irq, u16 \*idx)$/xn_find_sb(struct kvmppc_xive *xive, u32 irq, u16 *idx)/
