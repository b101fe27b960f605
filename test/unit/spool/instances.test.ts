import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { after, describe, it } from 'node:test';
import { Schema } from 'apache-arrow';
import { SHARED } from '../../../src/spool/instances.js';
import { FileSpoolStore } from '../../../src/spool/store.js';
import { payloads, readAll, same, Source, startSpool } from './helpers.js';
import { removeTempDirs, tempDir } from '../../helpers/temp-dirs.js';

after(removeTempDirs);

function heartbeat(fields: { host?: string; pid?: number; at: number }): Buffer {
  return Buffer.from(JSON.stringify({ host: hostname(), pid: process.pid, ...fields }));
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

/** The top-level folders of a spool directory. */
async function folders(store: FileSpoolStore): Promise<string[]> {
  return [...new Set((await store.list('')).map((k) => k.split('/')[0]!))].sort();
}

describe('instances sharing one spool directory', () => {
  it('a starting instance deletes the leftovers of instances that are gone, and nothing else', async () => {
    const dir = tempDir();
    const store = new FileSpoolStore(dir);
    const now = Date.now();
    // Gone: a stale heartbeat; a process of this host that has exited; data without a heartbeat.
    await store.put('stale/heartbeat', heartbeat({ at: now - 3_600_000 }));
    await store.put('stale/r/0', Buffer.from('x'));
    await store.put('exited/heartbeat', heartbeat({ at: now, pid: deadPid() }));
    await store.put('exited/r/0', Buffer.from('x'));
    await store.put('orphan/r/0', Buffer.from('x'));
    // Alive: a fresh heartbeat of another host (its process cannot be checked from here).
    await store.put('remote/heartbeat', heartbeat({ at: now, host: 'another-host', pid: 1 }));
    await store.put('remote/r/0', Buffer.from('x'));
    // Shared by every instance, with no heartbeat: never an instance's leftovers.
    await store.put(`${SHARED}/statements/t/s/record.json`, Buffer.from('{}'));
    const spool = await startSpool({ dir });
    const mine = (await folders(store)).filter((f) => f !== 'remote' && f !== SHARED);
    assert.equal(mine.length, 1);
    assert.deepEqual(await folders(store), [mine[0]!, 'remote', SHARED].sort());
    assert.deepEqual(await store.list('remote'), ['remote/heartbeat', 'remote/r/0']);
    assert.deepEqual(await store.list(SHARED), [`${SHARED}/statements/t/s/record.json`]);
    await spool.close();
    assert.deepEqual(await folders(store), ['remote', SHARED].sort());
  });

  it('two live instances on one directory never delete each other’s files', async () => {
    const dir = tempDir();
    const store = new FileSpoolStore(dir);
    const first = await startSpool({ dir, chunkBytes: 1_000 });
    const items = payloads([1_000, 1_000, 1_000, 1_000]);
    const result = first.spool(new Schema([]), new Source(items), { mode: 'keep' });
    await result.settled;
    const before = await store.list('');
    assert.ok(before.length >= 4, 'files to keep');
    // A second instance starts (and sweeps), another starts and closes.
    const second = await startSpool({ dir });
    const third = await startSpool({ dir });
    await third.close();
    const after = await store.list('');
    for (const key of before) assert.ok(after.includes(key), `${key} was deleted`);
    assert.ok(same(await readAll(result.payloads()), items));
    assert.equal((await folders(store)).length, 2);
    await result.release();
    await first.close();
    await second.close();
    assert.deepEqual(await store.list(''), []);
  });

  it('renews its heartbeat, so a live instance never looks stale', async () => {
    const dir = tempDir();
    const store = new FileSpoolStore(dir);
    const spool = await startSpool({ dir }, { heartbeatMs: 20, staleMs: 200 });
    const [folder] = await folders(store);
    const read = async () =>
      (JSON.parse(Buffer.from(await store.get(`${folder!}/heartbeat`)).toString()) as { at: number }).at;
    const firstBeat = await read();
    let later = firstBeat;
    for (let i = 0; later === firstBeat && i < 1_000; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      later = await read();
    }
    assert.ok(later > firstBeat);
    await spool.close();
  });
});
