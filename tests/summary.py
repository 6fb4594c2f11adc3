"""Print what each tox env's pytest run counted (from its junit XML), then the total.

Run by tests/run-all.sh after tox, because tox's parallel mode shows the
output of failed envs only.  The last line has the form CI reads:
``total: N passed, N failed, N skipped``.
"""
from __future__ import print_function

import glob
import os
import sys
import xml.etree.ElementTree as ElementTree


def counts(path):
    root = ElementTree.parse(path).getroot()
    suites = [root] if root.tag == 'testsuite' else root.findall('testsuite')
    total = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
    for suite in suites:
        for name in total:
            total[name] += int(suite.get(name, 0))
    failed = total['failures'] + total['errors']
    return total['tests'] - failed - total['skipped'], failed, total['skipped']


def main(tox_dir):
    grand = [0, 0, 0]
    reports = sorted(glob.glob(os.path.join(tox_dir, '*', 'junit.xml')))
    for path in reports:
        passed, failed, skipped = counts(path)
        grand = [grand[0] + passed, grand[1] + failed, grand[2] + skipped]
        env = os.path.basename(os.path.dirname(path))
        print('%s: %d passed, %d failed, %d skipped' % (env, passed, failed, skipped))
    if not reports:
        print('no test reports found under %s' % tox_dir)
        return 1
    print('total: %d passed, %d failed, %d skipped' % tuple(grand))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else '.tox'))
