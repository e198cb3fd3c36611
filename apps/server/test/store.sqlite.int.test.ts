import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "../src/store/sqlite.ts";
import { describeStore } from "./store-suite.ts";

describeStore("sqlite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sks-store-"));
  const store = openSqliteStore({ dataDir: dir });
  await store.migrate();
  return {
    store,
    reopen: async () => {
      const s = openSqliteStore({ dataDir: dir });
      await s.migrate();
      return s;
    },
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
