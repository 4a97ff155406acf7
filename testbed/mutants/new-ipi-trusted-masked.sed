# A new source's IPI keeps whatever EAS and PQ the firmware left: a source never configured can reach a queue.
# must fail: xive_eq_test global.new_ipi_masked_whatever_firmware_left
/xn_stale_ipi(xn, state);/{n;/^		xn_mask_hw(state);$/d}
