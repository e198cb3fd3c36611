import { tempDirs } from "@spec-kitty/test-support";
import { DIAMOND, missionRepo, writeAgents } from "/work/wt/orchestrate/packages/workflow/test/orchestrate-helpers.ts";
const t = tempDirs();
const root = missionRepo(t, DIAMOND);
writeAgents(root, { alpha: { impl: "succeed", review: "reject-once" }, beta: { impl: "succeed", review: "approve" } }, { implementation: ["alpha"], review: ["beta"] });
console.log(root);
