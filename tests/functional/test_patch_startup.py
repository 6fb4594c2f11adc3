"""The installed stsboto.pth, in fresh interpreters: ``import boto`` first works on
3.12+, STSBOTO_PATCH_BOTO=1 patches a program that never imports stsboto, and
start-up imports nothing heavy."""
from __future__ import absolute_import, unicode_literals

import json
import os
import subprocess
import sys
import sysconfig

import pytest

from tests import processes


def run(code, **env_changes):
    env = dict(os.environ)
    for name in [n for n in env if n.startswith('STSBOTO_PATCH')]:
        del env[name]
    env.update((str(k), str(v)) for k, v in env_changes.items())
    out = processes.check_output([sys.executable, '-c', code], env=env)
    return json.loads(out.decode('utf-8').strip().splitlines()[-1])


def test_the_pth_file_is_installed_in_site_packages():
    site = sysconfig.get_paths()['purelib']  # where pip (and tox's sdist install) put stsboto
    with open(os.path.join(site, 'stsboto.pth')) as handle:
        assert handle.read().startswith('import _stsboto_startup')
    assert os.path.exists(os.path.join(site, '_stsboto_startup.py'))


def test_start_up_imports_neither_boto_nor_stsboto():
    result = run('import json, sys; print(json.dumps(sorted(m for m in sys.modules '
                 'if m.split(".")[0] in ("boto", "stsboto", "six", "importlib.util"))))',
                 STSBOTO_PATCH_BOTO='1')
    assert result == []


def test_import_boto_first_works_in_any_order():
    # on 3.12+ boto alone cannot import; stsboto's finder makes it work
    code = ('import json, boto, boto.s3.connection, sys; import stsboto; '
            'loaded = "stsboto.patch" in sys.modules; import stsboto.patch; '
            'print(json.dumps([boto.__name__, "stsboto" in sys.modules, '
            'stsboto.patch.is_patched(), loaded]))')
    # without the variable, stsboto.patch is not even imported (import stays cheap)
    assert run(code) == ['boto', True, False, False]


def test_looking_boto_up_first_imports_nothing_and_import_still_works():
    # the usual check for an optional dependency, then the import
    code = ('import json, sys, importlib.util; spec = importlib.util.find_spec("boto"); '
            'loaded = sorted(m for m in ("boto", "stsboto") if m in sys.modules); '
            'import boto.s3.connection; '
            'print(json.dumps([spec is not None, spec.origin.endswith("__init__.py"), loaded, '
            'boto.__name__]))')
    if sys.version_info[0] == 2:
        code = ('import json, sys, pkgutil; loader = pkgutil.find_loader("boto"); '
                'loaded = sorted(m for m in ("boto", "stsboto") if m in sys.modules); '
                'import boto.s3.connection; '
                'print(json.dumps([loader is not None, True, loaded, boto.__name__]))')
    assert run(code) == [True, True, [], 'boto']


def test_import_order_with_the_variable_patches(monkeypatch):
    code = ('import json, boto; from boto.s3.connection import S3Connection; import stsboto.patch; '
            'c = S3Connection(); print(json.dumps([stsboto.patch.is_patched(), '
            'c.provider.security_token]))')
    result = run(code, STSBOTO_PATCH_BOTO='1', AWS_ACCESS_KEY_ID='ASIASTARTUPTEST00001',
                 AWS_SECRET_ACCESS_KEY='startup-secret', AWS_SESSION_TOKEN='startup-token')
    assert result == [True, 'startup-token']


def test_stsboto_first_with_the_variable_patches_too():
    code = 'import json, stsboto, stsboto.patch; print(json.dumps(stsboto.patch.is_patched()))'
    assert run(code, STSBOTO_PATCH_BOTO='1') is True
    assert run(code) is False


@pytest.mark.applies(sys.version_info >= (3, 12), reason='the utcnow warning exists on 3.12+ only')
def test_signing_under_error_on_deprecation_warnings():
    code = ('import json, boto; c = boto.connect_sqs("AKIAWARNINGTEST00001", "s"); '
            'r = c.build_base_http_request("POST", "/", None, {"Action": "ListQueues"}); '
            'r.authorize(connection=c); print(json.dumps("Authorization" in r.headers))')
    env = dict(os.environ, STSBOTO_PATCH_BOTO='1')
    out = processes.check_output([sys.executable, '-W', 'error::DeprecationWarning', '-c', code],
                                 env=env)
    assert json.loads(out.decode('utf-8').strip().splitlines()[-1]) is True
    # without the patch the same run fails: the filter is what makes it pass
    env.pop('STSBOTO_PATCH_BOTO')
    process = processes.popen([sys.executable, '-W', 'error::DeprecationWarning', '-c', code],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, err = process.communicate()
    assert process.returncode != 0 and b'utcnow' in err


def _warnings_of(code, **env_changes):
    env = dict(os.environ)
    for name in [n for n in env if n.startswith(('STSBOTO_PATCH', 'AWS_'))]:
        del env[name]
    env.update((str(k), str(v)) for k, v in env_changes.items())
    child = processes.popen([sys.executable, '-W', 'always::UserWarning', '-c', code], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = child.communicate()
    assert child.returncode == 0, err
    return [line for line in err.decode('utf-8').splitlines() if 'BotoNotPatchedWarning' in line]


_PROGRAM = 'import boto, boto.s3.connection, boto.sts'


def test_boto_imported_unpatched_with_a_session_token_warns_once_naming_it():
    lines = _warnings_of(_PROGRAM, AWS_SESSION_TOKEN='t0ken', AWS_ENDPOINT_URL_S3='http://127.0.0.1:9')
    assert len(lines) == 1, lines
    assert 'AWS_ENDPOINT_URL_S3, AWS_SESSION_TOKEN' in lines[0]
    assert 'STSBOTO_PATCH_BOTO=1' in lines[0]
    assert 't0ken' not in lines[0]


@pytest.mark.parametrize('env', [
    {},                                                      # nothing boto would ignore
    {'AWS_REGION': 'eu-west-1'},                             # Lambda and ECS set it everywhere
    {'AWS_SESSION_TOKEN': 't', 'STSBOTO_PATCH_BOTO': '0'},   # off on purpose
    {'AWS_ENDPOINT_URL': 'http://127.0.0.1:9', 'STSBOTO_PATCH_BOTO': '1'},  # patched: read
], ids=['nothing-set', 'region-only', 'patch-off-on-purpose', 'patched'])
def test_no_warning_when_boto_ignores_nothing_or_the_choice_is_explicit(env):
    assert _warnings_of(_PROGRAM, **env) == []


def test_a_program_that_imports_stsboto_first_is_not_warned():
    # stsboto's own API reads those variables itself
    assert _warnings_of('import stsboto, boto', AWS_SESSION_TOKEN='t') == []


# -- issue 19 item 8: a program's own module named boto imports as before ---------------------------

def _run_python(code, folder):
    import json
    import os
    import subprocess
    import sys
    env = dict(os.environ)
    env[str('PYTHONPATH')] = str(os.pathsep.join(
        [folder] + [p for p in env.get('PYTHONPATH', '').split(os.pathsep) if p]))
    env[str('STSBOTO_PATCH_BOTO')] = str('1')   # the finder on every Python, not only 3.12+
    out = subprocess.check_output([sys.executable, '-c', code], env=env, cwd=folder)
    return json.loads(out.decode('utf-8').strip().splitlines()[-1])


CHECK_OWN = ('import json, sys, boto; print(json.dumps([getattr(boto, "MINE", None), '
             '"stsboto" in sys.modules]))')


def test_item8_a_programs_own_boto_module_imports_as_before(tmpdir):
    tmpdir.join('boto.py').write('MINE = "module"\n')
    assert _run_python(CHECK_OWN, str(tmpdir)) == ['module', False]


def test_item8_a_boto_package_that_is_not_boto_2_imports_as_before(tmpdir):
    tmpdir.mkdir('boto').join('__init__.py').write('__version__ = "3.0.0"\nMINE = "package"\n')
    assert _run_python(CHECK_OWN, str(tmpdir)) == ['package', False]


def test_item8_boto_2_itself_still_goes_through_stsboto(tmpdir):
    import _stsboto_startup
    import boto
    assert _stsboto_startup.is_boto2(boto.__file__.replace('.pyc', '.py'))
    assert not _stsboto_startup.is_boto2(str(tmpdir.join('boto.py')))
    result = _run_python('import json, sys, boto; print(json.dumps([boto.__version__[:2], '
                         '"stsboto" in sys.modules]))', str(tmpdir))
    assert result == ['2.', True]
