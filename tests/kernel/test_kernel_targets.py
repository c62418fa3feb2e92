# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""`dmsetup targets` and `dmsetup version`: the versions dmboot reports for its targets and
for the dm interface are the ones the VM's kernel reports, with every module loaded."""
import vm


@vm.case("targets_and_version")
def _targets(c):
    c.data["targets"] = c.dmboot_text("dmsetup", "targets")
    c.data["version"] = c.dmboot_text("dmsetup", "version")
    c.guest("""
step targets dmsetup targets
step version dmsetup version
""")


def test_targets_match_the_kernel(kernel):
    c = kernel("targets_and_version")
    ours = {line.split()[0]: line for line in c.data["targets"].splitlines()}
    theirs = {line.split()[0]: line for line in vm.ok(c, "targets").splitlines()}
    assert ours and set(ours) <= set(theirs)
    for name, line in ours.items():
        assert line == theirs[name], (name, sorted(theirs.values()))


def test_driver_version_matches_the_kernel(kernel):
    c = kernel("targets_and_version")
    ours = [ln for ln in c.data["version"].splitlines() if ln.startswith("Driver version:")]
    theirs = [ln for ln in vm.ok(c, "version").splitlines() if ln.startswith("Driver version:")]
    assert ours == theirs and len(ours) == 1
