# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""Fixtures for the kernel suite (tests/kernel/, run by `make kernel-check`).

The session fixture `kernel` builds (or finds cached) the VM, prepares every
case the test files registered with vm.case(), boots the VM once per batch,
and hands each test its Case.  A VM that cannot be built or does not boot
fails every test; nothing here is skipped.
"""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import build_vm  # noqa: E402
import vm  # noqa: E402


@pytest.fixture(scope="session")
def kernel_run(tmp_path_factory):
    work = tmp_path_factory.mktemp("kernel")
    if not vm.DMBOOT.exists():
        pytest.fail("build/dmboot is missing (run `make all`)", pytrace=False)
    try:
        cases, times = vm.run_all(work)
    except build_vm.BuildError as e:
        pytest.fail("the kernel VM cannot be built: %s" % e, pytrace=False)
    sys.stderr.write("\nkernel suite: %d case(s) in %d boot(s): %s s\n"
                     % (len(cases), len(times), ", ".join("%.1f" % t for t in times)))
    return cases


@pytest.fixture
def kernel(kernel_run):
    """kernel(name) -> the Case named `name`, prepared and run."""
    def get(name):
        if name not in kernel_run:
            pytest.fail("no kernel case %s" % name, pytrace=False)
        return kernel_run[name]
    return get
