import { randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { mkdir, readFile, rmdir, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { bookkeeping } from "../aggregate/errors.ts";

/**
 * A cross-process lock file. Created with O_CREAT|O_EXCL, it records who holds it (pid, host, start
 * time of the process, a random token). A waiter that finds the holder dead on this host takes the
 * lock over; a waiter that cannot get it within the timeout fails with BOOKKEEPING_LOCK_TIMEOUT.
 * Under the git common dir it is shared by every worktree of the repository.
 */

export interface HeldLock {
  readonly path: string;
  /** Removes the lock file if it is still ours. */
  readonly release: () => Promise<void>;
}

export interface LockOptions {
  /** How long to wait for the holder to finish (30 s in production). */
  readonly timeoutMs: number;
  /** A label for the timeout message (the mission). */
  readonly what: string;
}

/** The lock file of a mission's status, under the git common dir (the reference's location). */
export const missionLockPath = (commonDir: string, missionSlug: string): string =>
  join(commonDir, "spec-kitty-locks", `${missionSlug}.status.lock`);

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly started: string | null;
  readonly token: string;
  readonly acquired_at: string;
}

// A lock file is written right after it is created; one still empty or unparseable after this long
// belongs to a process that died in between.
const UNREADABLE_STALE_MS = 5_000;
// A takeover guard left behind by a process that died mid-takeover.
const TAKEOVER_STALE_MS = 5_000;

export const acquireLock = async (path: string, options: LockOptions): Promise<HeldLock> => {
  await mkdir(dirname(path), { recursive: true });
  const token = randomBytes(12).toString("hex");
  const deadline = Date.now() + options.timeoutMs;
  let delay = 1;
  for (;;) {
    if (tryCreate(path, token)) return { path, release: () => releaseLock(path, token) };
    const owner = await readOwner(path);
    if (owner !== "gone" && (await isStale(path, owner))) {
      await takeOver(path, owner);
      continue;
    }
    if (owner === "gone") continue;
    if (Date.now() >= deadline) {
      const holder = owner === "unreadable" ? "an unknown process" : `pid ${owner.pid} on ${owner.host} since ${owner.acquired_at}`;
      throw bookkeeping(
        "BOOKKEEPING_LOCK_TIMEOUT",
        `timed out after ${options.timeoutMs} ms waiting for the status lock of ${options.what} (${path}), held by ${holder}; ` +
          `if that process is gone from another host, remove the lock file`,
      );
    }
    // Exponential backoff with jitter keeps many waiters from polling in step.
    await sleep(Math.min(delay, Math.max(0, deadline - Date.now())) * (0.5 + Math.random()));
    delay = Math.min(delay * 2, 40);
  }
};

const tryCreate = (path: string, token: string): boolean => {
  let fd: number;
  try {
    fd = openSync(path, "wx");
  } catch (error) {
    if (isCode(error, "EEXIST")) return false;
    throw bookkeeping("BOOKKEEPING_WRITE_FAILED", `cannot create the status lock file ${path}: ${String(error)}`, error);
  }
  try {
    const owner: LockOwner = {
      pid: process.pid,
      host: hostname(),
      started: processStart(process.pid),
      token,
      acquired_at: new Date().toISOString(),
    };
    writeSync(fd, JSON.stringify(owner));
  } finally {
    closeSync(fd);
  }
  return true;
};

const readOwner = async (path: string): Promise<LockOwner | "unreadable" | "gone"> => {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (isCode(error, "ENOENT")) return "gone";
    return "unreadable";
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && "pid" in value && "token" in value) return value as LockOwner;
  } catch {
    // fall through: a half-written or foreign file
  }
  return "unreadable";
};

const isStale = async (path: string, owner: LockOwner | "unreadable"): Promise<boolean> => {
  if (owner === "unreadable") return (await ageMs(path)) > UNREADABLE_STALE_MS;
  if (owner.host !== hostname()) return false; // cannot probe a process on another host
  if (!processAlive(owner.pid)) return true;
  // The pid is alive, but it may have been reused by a newer process since the holder died.
  const started = processStart(owner.pid);
  return owner.started !== null && started !== null && started !== owner.started;
};

/**
 * Removes a stale lock file under a takeover guard (a directory, created exclusively), after checking
 * again that the file is still the same stale one: two waiters can never both remove a fresh lock.
 */
const takeOver = async (path: string, seen: LockOwner | "unreadable"): Promise<void> => {
  const guard = `${path}.takeover`;
  try {
    await mkdir(guard);
  } catch (error) {
    if (!isCode(error, "EEXIST")) throw error;
    if ((await ageMs(guard)) > TAKEOVER_STALE_MS) await rmdir(guard).catch(() => undefined);
    await sleep(2);
    return;
  }
  try {
    const now = await readOwner(path);
    const same = now === "unreadable" ? seen === "unreadable" : now !== "gone" && seen !== "unreadable" && now.token === seen.token;
    if (same && (await isStale(path, now as LockOwner | "unreadable"))) await unlink(path).catch(() => undefined);
  } finally {
    await rmdir(guard).catch(() => undefined);
  }
};

const releaseLock = async (path: string, token: string): Promise<void> => {
  const owner = await readOwner(path);
  if (owner !== "gone" && owner !== "unreadable" && owner.token === token) await unlink(path).catch(() => undefined);
};

const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isCode(error, "EPERM"); // exists, owned by someone else
  }
};

/** The start time of a process (Linux /proc, clock ticks since boot); null where unavailable. */
const processStart = (pid: number): string | null => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 22 (starttime), counted after the parenthesised command name, which may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19] ?? null;
  } catch {
    return null;
  }
};

const ageMs = async (path: string): Promise<number> => {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return 0;
  }
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const isCode = (error: unknown, code: string): boolean =>
  typeof error === "object" && error !== null && "code" in error && (error as { code: unknown }).code === code;
