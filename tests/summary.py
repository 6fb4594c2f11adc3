"""Print what each tox env's pytest run counted (from its junit XML), then the total.

Run by tests/run-all.sh after tox, because tox's parallel mode shows the
output of failed envs only.  The last line has the form CI reads:
``total: N passed, N failed, N skipped``.  ``--expect ENV,ENV`` names envs
that must have a report (py314 and py315 run in a chroot and may never start):
one without a report is listed and makes the exit status 1.

Usage: ``python tests/summary.py [--expect py314,py315] [.tox]``
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


def main(tox_dir, expected=()):
    """Print the counts; 1 when there is no report at all or an expected env has none."""
    grand = [0, 0, 0]
    reports = sorted(glob.glob(os.path.join(tox_dir, '*', 'junit.xml')))
    seen = set()
    for path in reports:
        passed, failed, skipped = counts(path)
        grand = [grand[0] + passed, grand[1] + failed, grand[2] + skipped]
        env = os.path.basename(os.path.dirname(path))
        seen.add(env)
        print('%s: %d passed, %d failed, %d skipped' % (env, passed, failed, skipped))
    missing = [env for env in expected if env not in seen]
    for env in missing:
        # an env that never reached pytest (no interpreter, no chroot, failed install)
        print('%s: no test report (its tests did not run)' % env)
    if not reports:
        print('no test reports found under %s' % tox_dir)
        return 1
    print('total: %d passed, %d failed, %d skipped' % tuple(grand))
    return 1 if missing else 0


if __name__ == '__main__':
    args = sys.argv[1:]
    expect = []
    if len(args) >= 2 and args[0] == '--expect':
        expect = [env for env in args[1].split(',') if env]
        args = args[2:]
    sys.exit(main(args[0] if args else '.tox', expect))
