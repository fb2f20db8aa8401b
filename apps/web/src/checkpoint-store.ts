/**
 * The trained checkpoint kept in the browser: IndexedDB holds its files by name (the same
 * files as a run's checkpoint folder), and a download saves them as files that
 * `rectiflow-sample --checkpoint <folder>` reads.
 */
const DB = 'rectiflow';
const STORE = 'checkpoints';
const KEY = 'browser-run';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** Keep the checkpoint's files in IndexedDB (replacing the one kept before). */
export async function storeCheckpoint(files: Array<[string, Uint8Array]>): Promise<void> {
  const db = await open();
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).put(files, KEY);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  db.close();
}

/** The checkpoint kept in IndexedDB, if any. */
export async function readStoredCheckpoint(): Promise<Array<[string, Uint8Array]> | undefined> {
  const db = await open();
  const files = await new Promise<Array<[string, Uint8Array]> | undefined>((resolve, reject) => {
    const request = db.transaction(STORE, 'readonly').objectStore(STORE).get(KEY);
    request.onsuccess = () => resolve(request.result as Array<[string, Uint8Array]> | undefined);
    request.onerror = () => reject(request.error);
  });
  db.close();
  return files;
}

/** Offer bytes as a file download. */
export function download(name: string, bytes: Uint8Array, type = 'application/octet-stream'): void {
  const url = URL.createObjectURL(new Blob([bytes.slice().buffer as ArrayBuffer], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Read the files a user picked (a checkpoint folder's files) into name/bytes pairs. */
export async function readPickedFiles(list: FileList): Promise<Array<[string, Uint8Array]>> {
  return Promise.all([...list].map(async (f) => [f.name, new Uint8Array(await f.arrayBuffer())] as [string, Uint8Array]));
}
