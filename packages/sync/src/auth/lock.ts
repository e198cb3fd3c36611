/**
 * A lock file with a deadline: created exclusively, holding the owner's pid. A lock whose owner is gone (or that
 * holds no pid, as the Python CLI's lock files do between uses) is stale and taken over. Every wait is bounded.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";

export class LockTimeout extends Error {
  readonly code = "lock_timeout";
  readonly path: string;
  readonly waitedMs: number;
  constructor(path: string, waitedMs: number) {
    super(`could not lock ${path} within ${Math.round(waitedMs / 1000)} s (another spec-kitty process holds it)`);
    this.path = path;
    this.waitedMs = waitedMs;
  }
}

const alive = (pid: number): boolean => {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

const tryCreate = (path: string): boolean => {
  try {
    const fd = openSync(path, "wx", 0o600);
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
};

const isStale = (path: string): boolean => {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return false; // gone already: the next create decides
  }
  const pid = Number(text.trim());
  return text.trim() === "" || !alive(pid);
};

export interface Lock {
  readonly path: string;
  release(): void;
}

/** Takes the lock once, without waiting; undefined when another live process holds it. */
export const tryLock = (path: string): Lock | undefined => {
  if (!tryCreate(path)) {
    if (!isStale(path)) return undefined;
    try {
      unlinkSync(path);
    } catch {
      // another process took it over first
    }
    if (!tryCreate(path)) return undefined;
  }
  let released = false;
  return {
    path,
    release: () => {
      if (released) return;
      released = true;
      try {
        if (readFileSync(path, "utf8").trim() === String(process.pid)) unlinkSync(path);
      } catch {
        // already removed
      }
    },
  };
};

/** Takes the lock, polling until `deadlineMs` has passed; throws LockTimeout then. */
export const acquireLock = async (path: string, deadlineMs: number): Promise<Lock> => {
  const start = Date.now();
  let delay = 5;
  for (;;) {
    const lock = tryLock(path);
    if (lock !== undefined) return lock;
    const waited = Date.now() - start;
    if (waited >= deadlineMs) throw new LockTimeout(path, waited);
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, deadlineMs - waited)));
    delay = Math.min(delay * 2, 100);
  }
};

/** Runs `body` holding the lock, releasing it however `body` ends. */
export const withLock = async <A>(path: string, deadlineMs: number, body: () => Promise<A> | A): Promise<A> => {
  const lock = await acquireLock(path, deadlineMs);
  try {
    return await body();
  } finally {
    lock.release();
  }
};
