"""What installing stsboto adds to the start-up of every Python program (issue 9).

Usage::

    python benchmarks/startup.py                 # this interpreter, 200 runs a side
    python benchmarks/startup.py --runs 50 --python /path/to/python2.7 --json out.json

stsboto installs ``stsboto.pth`` in site-packages; ``site`` runs its one line
(``import _stsboto_startup; _stsboto_startup.install()``) when any Python
program starts, whether or not it uses boto.  Four measurements, each in fresh
interpreters:

``reimport``
    In a normally started child (every Python): ``_stsboto_startup`` imported
    again from its ``.pyc`` and ``install()`` called, timed.

``site``
    The exact cost the ``.pth`` adds, in the interpreter's own environment
    (stsboto installed there): a ``python -S`` child (no site dirs processed
    yet) times ``site.main()``, the start-up work of ``site.py``, once as it
    is and once skipping ``stsboto.pth``; the sides alternate.  The difference
    is what every start-up pays for stsboto: reading the file, importing
    ``_stsboto_startup``, ``install()``.  Measured with and without
    ``STSBOTO_PATCH_BOTO=1`` (on 3.12+ the finder is registered either way).
``importtime``
    On Python 3.7+: the ``_stsboto_startup`` line of ``python -X importtime
    -c pass``, the import as start-up really does it.
``process``
    The wall time of ``python -c pass`` in the interpreter's own environment
    (with stsboto installed there), for scale.

Prints medians (min / max in the JSON) in microseconds, milliseconds for
``process``.  The target is <= 1 ms added.  On a shared machine the ``site``
difference is noisy (single runs vary by milliseconds): use its median over
many runs.
"""
from __future__ import print_function

import argparse
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

# Children run in an empty folder: with -c, the current folder comes first on
# sys.path, and a source checkout's _stsboto_startup.py would be imported
# (and compiled) instead of the installed one.
NEUTRAL = tempfile.mkdtemp(prefix='stsboto-startup-')
atexit.register(shutil.rmtree, NEUTRAL, True)


# Runs in the child (python -S: no site dirs processed yet): runs site.main(),
# the start-up work of site.py, with or without our .pth; prints microseconds.
CHILD = """
import sys, time
clock = getattr(time, 'perf_counter', time.time)
import encodings  # Python 2's -S skips it; site needs a codec
import site
if sys.argv[1] == 'without':
    original = site.addpackage
    def addpackage(sitedir, name, known_paths):
        if name == 'stsboto.pth':
            return known_paths
        return original(sitedir, name, known_paths)
    site.addpackage = addpackage
start = clock()
site.main()
took = clock() - start
assert ('_stsboto_startup' in sys.modules) == (sys.argv[1] == 'with'), sys.argv[1]
assert 'boto' not in sys.modules and 'stsboto' not in sys.modules
print(took * 1e6)
"""

# Runs in a normally started child: the module stsboto.pth imported, imported
# again from its .pyc with the import system warm, plus install().
REIMPORT = """
import sys, time
clock = getattr(time, 'perf_counter', time.time)
assert '_stsboto_startup' in sys.modules, 'stsboto.pth is not installed in this environment'
del sys.modules['_stsboto_startup']
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != 'LazyBotoFinder']
start = clock()
import _stsboto_startup
_stsboto_startup.install()
print((clock() - start) * 1e6)
"""


def stats(values):
    values = sorted(values)
    return {'min': values[0], 'median': values[len(values) // 2], 'max': values[-1],
            'runs': len(values)}


def site_cost(python, runs, patch_env):
    env = dict(os.environ)
    env.pop('STSBOTO_PATCH_BOTO', None)
    if patch_env:
        env['STSBOTO_PATCH_BOTO'] = '1'
    for side in ('with', 'without'):  # warm-up: OS caches, .pyc files
        subprocess.check_output([python, '-S', '-c', CHILD, side], env=env, stderr=subprocess.STDOUT,
                                cwd=NEUTRAL)
    sides = {'with': [], 'without': []}
    for _ in range(runs):
        for side in ('without', 'with'):
            out = subprocess.check_output([python, '-S', '-c', CHILD, side], env=env, cwd=NEUTRAL)
            sides[side].append(float(out.decode('ascii').strip()))
    diffs = [w - o for w, o in zip(sides['with'], sides['without'])]
    return {'site_main_with_pth_us': stats(sides['with']),
            'site_main_without_pth_us': stats(sides['without']), 'added_us': stats(diffs),
            'added_median_of_sides_us': stats(sides['with'])['median'] -
            stats(sides['without'])['median']}


def reimport_cost(python, runs):
    times = [float(subprocess.check_output([python, '-c', REIMPORT], cwd=NEUTRAL).decode('ascii').strip())
             for _ in range(runs)]
    return {'import_and_install_us': stats(times)}


def importtime_cost(python, runs):
    """The ``_stsboto_startup`` line of ``python -X importtime -c pass`` (3.7+), cumulative us."""
    times = []
    for _ in range(runs):
        err = subprocess.Popen([python, '-X', 'importtime', '-c', 'pass'], stderr=subprocess.PIPE,
                               stdout=subprocess.PIPE, cwd=NEUTRAL).communicate()[1]
        err = err.decode('ascii', 'replace')
        for line in err.splitlines():
            if line.rstrip().endswith('_stsboto_startup'):
                times.append(float(line.split('|')[1]))
    return {'importtime_us': stats(times)} if times else None


def process_cost(python, runs):
    times = []
    for _ in range(runs):
        start = time.time()
        subprocess.check_call([python, '-c', 'pass'], cwd=NEUTRAL)
        times.append((time.time() - start) * 1e3)
    return {'python_c_pass_ms': stats(times)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--runs', type=int, default=200)
    parser.add_argument('--python', action='append', default=[],
                        help='another interpreter to measure (repeatable)')
    parser.add_argument('--json', help='write the figures to this file')
    args = parser.parse_args(argv)
    results = {}
    for python in [sys.executable] + args.python:
        if os.sep in python:  # the children run in another folder
            python = os.path.abspath(python)
        version = subprocess.check_output(
            [python, '-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])']).decode().strip()
        entry = {'python': version, 'reimport': reimport_cost(python, args.runs),
                 'importtime': importtime_cost(python, args.runs)}
        try:
            entry['site'] = site_cost(python, args.runs, False)
            entry['site_with_STSBOTO_PATCH_BOTO'] = site_cost(python, args.runs, True)
        except subprocess.CalledProcessError:
            # virtualenv's own site.py for Python 2 cannot run under -S
            entry['site'] = entry['site_with_STSBOTO_PATCH_BOTO'] = None
        entry['process'] = process_cost(python, max(10, args.runs // 4))
        results[python] = entry
        line = 'Python %s: import + install() %.0f us (min %.0f, max %.0f)' % (
            (version,) + tuple(entry['reimport']['import_and_install_us'][k]
                               for k in ('median', 'min', 'max')))
        if entry['importtime'] is not None:
            line += '; -X importtime %.0f us' % entry['importtime']['importtime_us']['median']
        if entry['site'] is not None:
            added = entry['site']['added_us']
            line += ('; site.main() with - without stsboto.pth: median %.0f us (min %.0f, max %.0f), '
                     'with STSBOTO_PATCH_BOTO=1 %.0f us' % (
                         added['median'], added['min'], added['max'],
                         entry['site_with_STSBOTO_PATCH_BOTO']['added_us']['median']))
        print(line + '; python -c pass %.1f ms' % entry['process']['python_c_pass_ms']['median'])
    if args.json:
        with open(args.json, 'w') as handle:
            json.dump(results, handle, indent=2, sort_keys=True)
    return results


if __name__ == '__main__':
    main()
