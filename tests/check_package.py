"""Check what a user installs: ``python tests/check_package.py WORKDIR [JUNIT_XML]``.

Run by tox's ``package`` env (and so by tests/run-all.sh).  It builds the sdist
and the wheel from this checkout, checks their metadata with ``twine check
--strict``, checks that the wheel holds every module of the package, installs
the wheel into a new virtualenv (``import stsboto`` and the ``stsboto``
console script must work there), then unpacks the sdist and runs the unit and
functional tests from it with that virtualenv (the functional ones talk to
in-memory fakes and loopback stand-ins only): a file the tests need but the
sdist leaves out (``tests/data``, ``tests/requirements.txt``) fails the run.
"""
from __future__ import print_function

import glob
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(*command, **kwargs):
    print('+ ' + ' '.join(command), flush=True)
    subprocess.check_call(command, **kwargs)


def one(pattern):
    found = glob.glob(pattern)
    if len(found) != 1:
        sys.exit('check_package: expected one %s, found %r' % (pattern, found))
    return found[0]


def package_modules(names):
    return sorted(n for n in names if n.startswith('stsboto/') and n.endswith('.py'))


def check_local_extra(venv, wheel, quiet):
    """The [local] extra, as a user installs it: moto's server starts from it and the demo
    (IAM enforcement, a HEAD included) passes with the newest moto the extra allows.

    This is the check that catches the next moto release that breaks the demo (as
    5.2.6 did: every HEAD refused under enforcement); the extra then excludes it.
    """
    python = os.path.join(venv, 'bin', 'python')
    before = set(installed(python))
    started = time.time()
    run(python, '-m', 'pip', 'install', *(quiet + (wheel + '[local]',)))
    took = time.time() - started
    added = sorted(set(installed(python)) - before)
    print('check_package: [local] installed %d packages in %.0f s: %s'
          % (len(added), took, ', '.join(added)), flush=True)
    environ = dict((k, v) for k, v in os.environ.items() if not k.startswith(('AWS_', 'STSBOTO_')))
    run(os.path.join(venv, 'bin', 'stsboto'), 'demo', stdout=subprocess.DEVNULL, env=environ)


def installed(python):
    out = subprocess.check_output([python, '-m', 'pip', 'list', '--format=freeze',
                                   '--disable-pip-version-check'], universal_newlines=True)
    return [line.split('==')[0].lower() for line in out.split()]


def main(work, junit=None):
    shutil.rmtree(work, ignore_errors=True)
    dist = os.path.join(work, 'dist')
    run(sys.executable, '-m', 'build', '--sdist', '--wheel', '--outdir', dist, ROOT)
    sdist, wheel = one(os.path.join(dist, '*.tar.gz')), one(os.path.join(dist, '*.whl'))
    run(sys.executable, '-m', 'twine', 'check', '--strict', sdist, wheel)

    source = subprocess.check_output(['git', 'ls-files', 'stsboto'], cwd=ROOT,
                                     universal_newlines=True).split()
    with zipfile.ZipFile(wheel) as archive:
        in_wheel = archive.namelist()
    missing = sorted(set(package_modules(source)) - set(package_modules(in_wheel)))
    # the start-up hook (STSBOTO_PATCH_BOTO, import boto in any order on 3.12+)
    # and the interrupt-safe console script live beside the package
    missing += [name for name in ('stsboto.pth', '_stsboto_startup.py') if name not in in_wheel]
    if missing:
        sys.exit('check_package: the wheel lacks %s' % ', '.join(missing))

    venv = os.path.join(work, 'venv')
    run(sys.executable, '-m', 'venv', venv)
    python = os.path.join(venv, 'bin', 'python')
    quiet = ('--quiet', '--disable-pip-version-check')
    run(python, '-m', 'pip', 'install', *(quiet + (wheel,)))
    run(python, '-c', 'import stsboto, sys; sys.stdout.write(stsboto.__version__ + "\\n")',
        cwd=work)
    run(os.path.join(venv, 'bin', 'stsboto'), '--help', stdout=subprocess.DEVNULL)
    check_local_extra(venv, wheel, quiet)

    with tarfile.open(sdist) as archive:
        archive.extractall(work)
    unpacked = one(os.path.join(work, 'stsboto-*/'))
    for needed in ('tests/data/ca.pem', 'tests/requirements.txt', 'LICENSE', 'CHANGELOG.rst',
                   'tools/gen_endpoint_data.py'):
        if not os.path.exists(os.path.join(unpacked, needed)):
            sys.exit('check_package: the sdist lacks %s' % needed)
    run(python, '-m', 'pip', 'install', *(quiet + ('-r', os.path.join(unpacked, 'tests',
                                                                      'requirements.txt'))))
    command = [python, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/unit',
               'tests/functional']
    if junit:
        command.insert(3, '--junitxml=%s' % junit)
    run(*command, cwd=unpacked)
    return 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
