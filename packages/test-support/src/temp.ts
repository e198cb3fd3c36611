import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Temporary folders made for one test file, removed together by `cleanup` (hand it to afterAll or afterEach). */
export interface TempDirs {
  /** A fresh, empty folder (its real path: macOS and some CI runners put tmp behind a symlink). */
  readonly make: (prefix?: string) => string;
  readonly cleanup: () => void;
}

export const tempDirs = (defaultPrefix = "sk-test-"): TempDirs => {
  const made: Array<string> = [];
  return {
    make: (prefix = defaultPrefix) => {
      const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
      made.push(dir);
      return dir;
    },
    cleanup: () => {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
};
