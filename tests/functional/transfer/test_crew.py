# -*- coding: utf-8 -*-
"""Functional tests of stsboto.transfer.crew: Ctrl-C, SIGTERM, progress and use_threads, over the fake S3."""
from __future__ import absolute_import, division, print_function, unicode_literals

import hashlib
import io
import os
import signal
import threading

import mock
import pytest

from stsboto import transfer
from stsboto.transfer import MiB, TransferError, TransferInterrupted
from tests.factories import payload
from tests.transfer_support import FIVE_PARTS, PARTS, SMALL_PARTS, bucket_of, settle

import boto.s3.multipart  # noqa: E402


# ---------------------------------------------------------------------------
# Ctrl-C


def test_ctrl_c_while_the_upload_is_created_still_aborts_it(s3, ctrl_c):
    # pressed while S3 creates the multipart upload (SIGTERM under the CLI): before,
    # the KeyboardInterrupt left the new upload open on the server
    def hook(method, key, query, headers):
        if method == 'POST' and 'uploads' in query:
            ctrl_c()
    s3.hooks.append(hook)
    with pytest.raises(TransferInterrupted) as info:
        transfer.upload(s3.bucket(), 'big.bin', io.BytesIO(payload(FIVE_PARTS)), config=SMALL_PARTS)
    assert info.value.aborted is True and 'aborted' in str(info.value)
    settle()
    assert s3.uploads == {} and 'big.bin' not in s3.objects


def test_ctrl_c_during_part_3_aborts_and_stays_a_keyboard_interrupt(s3, ctrl_c):
    def hook(method, key, query, headers):
        if method == 'PUT' and query.get('partNumber') == '3':
            ctrl_c()
            # Part 3 is in flight: the abort must wait for it.  Give an abort
            # sent too early the time to arrive first (bounded: the right
            # behaviour just waits the whole time).
            s3.aborted.wait(1)
    s3.hooks.append(hook)
    real_cancel = boto.s3.multipart.MultiPartUpload.cancel_upload
    with mock.patch.object(boto.s3.multipart.MultiPartUpload, 'cancel_upload', autospec=True,
                           side_effect=real_cancel) as cancel:
        with pytest.raises(KeyboardInterrupt) as info:
            transfer.upload(s3.bucket(), 'big.bin', io.BytesIO(payload(FIVE_PARTS)),
                            config=SMALL_PARTS)
    error = info.value
    assert isinstance(error, TransferInterrupted) and not isinstance(error, Exception)
    assert cancel.call_count == 1
    assert error.aborted is True and 'aborted' in str(error)
    settle()
    assert s3.uploads == {} and 'big.bin' not in s3.objects
    assert s3.log[-1][0] == 'DELETE' and s3.late_parts == []


def test_ctrl_c_in_the_calling_thread_aborts(s3):
    def progress(done, total):
        if done > 5 * MiB:
            raise KeyboardInterrupt()
    with pytest.raises(TransferInterrupted) as info:
        transfer.upload(s3.bucket(), 'k', io.BytesIO(payload(FIVE_PARTS)), config=SMALL_PARTS,
                        progress=progress)
    assert info.value.aborted is True and s3.uploads == {}


def test_ctrl_c_during_download_leaves_no_file(s3, ctrl_c, tmpdir):
    s3.objects['big.bin'] = (payload(FIVE_PARTS), '"x"', {})
    s3.hooks.append(lambda method, key, query, headers:
                    ctrl_c() if headers.get('Range', '').startswith('bytes=%d-' % (2 * MiB))
                    else None)
    dest = tmpdir.join('big.bin')
    with pytest.raises(TransferInterrupted):
        transfer.download(s3.bucket(), 'big.bin', str(dest), part_size=1 * MiB, threshold=MiB)
    assert tmpdir.listdir() == []


# ---------------------------------------------------------------------------
# Progress


def record_progress():
    calls = []

    def progress(done, total):
        calls.append((done, total, threading.current_thread()))
    return calls, progress


@pytest.mark.parametrize('size', [10, FIVE_PARTS])
def test_upload_progress_runs_in_the_calling_thread_and_ends_at_the_total(s3, size):
    calls, progress = record_progress()
    transfer.upload(s3.bucket(), 'k', io.BytesIO(payload(size)), config=SMALL_PARTS,
                    progress=progress)
    assert calls[0][:2] == (0, size) and calls[-1][:2] == (size, size)
    assert all(c[2] is threading.current_thread() for c in calls)
    done = [c[0] for c in calls]
    assert done == sorted(done) and len(set(done)) == len(done)
    assert all(c[1] == size for c in calls)


def test_download_progress_runs_in_the_calling_thread_and_ends_at_the_total(s3):
    data = payload(3 * MiB + 5)
    s3.objects['k'] = (data, '"%s"' % hashlib.md5(data).hexdigest(), {})
    calls, progress = record_progress()
    transfer.download(s3.bucket(), 'k', io.BytesIO(), part_size=MiB, threshold=MiB,
                      progress=progress)
    assert calls[0][:2] == (0, len(data)) and calls[-1][:2] == (len(data), len(data))
    assert all(c[2] is threading.current_thread() for c in calls)
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)


def test_progress_callback_failure_aborts_and_is_the_cause(s3):
    def progress(done, total):
        if done:
            raise RuntimeError('progress bar broke')
    with pytest.raises(TransferError) as info:
        transfer.upload(s3.bucket(), 'k', io.BytesIO(payload(6 * MiB)), config=SMALL_PARTS,
                        progress=progress)
    assert isinstance(info.value.cause, RuntimeError) and info.value.aborted is True


# ---------------------------------------------------------------------------
# One crew, synchronous when asked (issue 13 item 1)


@pytest.mark.parametrize('dest', ['path', 'stream'])
def test_use_threads_false_runs_everything_in_the_calling_thread(s3, tmpdir, dest):
    data = payload(12 * MiB + 1)
    seen = []

    def progress(done, total):
        seen.append([t.name for t in threading.enumerate() if t.name.startswith('stsboto-')])
    config = PARTS.replace(use_threads=False)
    transfer.upload(bucket_of(s3), 'k', io.BytesIO(data), config=config, progress=progress)
    out = str(tmpdir.join('out')) if dest == 'path' else io.BytesIO()
    result = transfer.download(bucket_of(s3), 'k', out, config=config, part_size=MiB,
                               threshold=MiB, progress=progress)
    back = tmpdir.join('out').read_binary() if dest == 'path' else out.getvalue()
    assert back == data and result.parts == 13
    assert len(seen) > 20 and all(names == [] for names in seen)


# ---------------------------------------------------------------------------
# Signals (issue 11 item 7)


def test_ctrl_c_during_a_single_put_is_a_transfer_interrupted(s3):
    def progress(done, total):
        if done:
            raise KeyboardInterrupt()
    with pytest.raises(TransferInterrupted) as info:
        transfer.upload(bucket_of(s3), 'k', io.BytesIO(payload(3 * MiB)), progress=progress)
    assert 'interrupted' in str(info.value) and 'nothing was stored' in str(info.value)
    assert info.value.upload_id is None and s3.objects == {}


def test_ctrl_c_inside_the_socket_write_of_a_single_put(s3):
    def hook(method, key, query, headers):
        raise KeyboardInterrupt()            # as if pressed while boto wrote the body
    s3.hooks.append(hook)
    with pytest.raises(TransferInterrupted):
        transfer.upload(bucket_of(s3), 'k', io.BytesIO(b'data'))


def test_sigterm_as_interrupt_aborts_a_multipart_upload(s3):
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    sent = []

    def hook(method, key, query, headers):
        if method == 'PUT' and query.get('partNumber') == '2' and not sent:
            sent.append(1)
            os.kill(os.getpid(), signal.SIGTERM)   # the main thread gets it
    s3.hooks.append(hook)
    before = signal.getsignal(signal.SIGTERM)
    with transfer.sigterm_as_interrupt():
        with pytest.raises(TransferInterrupted) as info:
            transfer.upload(bucket_of(s3), 'k', io.BytesIO(payload(12 * MiB)), config=PARTS)
    assert signal.getsignal(signal.SIGTERM) is before
    assert info.value.aborted is True and s3.uploads == {} and 'k' not in s3.objects
