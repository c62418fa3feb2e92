# SPDX-License-Identifier: GPL-2.0-or-later OR BSD-2-Clause
"""linear: the kernel maps dmboot's table to the same bytes and prints the same text."""
import os

import vm


@vm.case("linear_two_segments")
def _linear(c):
    a = c.disk("a.img", data=os.urandom(4 << 20))
    b = c.disk("b.img", data=os.urandom(4 << 20))
    vm.mapping(c, "lin", "0 2048 linear %s 4096\n2048 6000 linear %s 100\n" % (b, a))


def test_linear_two_segments(kernel):
    vm.assert_same(kernel("linear_two_segments"))
