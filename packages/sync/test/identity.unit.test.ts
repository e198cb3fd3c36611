import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { FastCheck } from "effect";
import { describe, expect, it } from "vitest";
import {
  configPathOf,
  deriveBuildId,
  ensureIdentity,
  IdentityError,
  locateGit,
  nodeIdFor,
  generateNodeId,
  parseConfig,
  repoSlugFromUrl,
  resolveIdentity,
  slugFromRemoteUrl,
  userName,
  uuid5,
} from "../src/index.ts";
import { git, makeRepo } from "./support/repo.ts";

describe("node id", () => {
  it("is sha256(host:user)[:12] with getpass.getuser()'s environment order", () => {
    expect(nodeIdFor("box", "ann")).toBe(createHash("sha256").update("box:ann").digest("hex").slice(0, 12));
    expect(userName({ LOGNAME: "l", USER: "u", LNAME: "n", USERNAME: "w" })).toBe("l");
    expect(userName({ LOGNAME: "", USER: "u", LNAME: "n", USERNAME: "w" })).toBe("u");
    expect(userName({ LNAME: "n", USERNAME: "w" })).toBe("n");
    expect(userName({ USERNAME: "w" })).toBe("w");
    expect(generateNodeId({ LOGNAME: "zed" })).toBe(nodeIdFor(hostname(), "zed"));
  });
});

describe("slugs", () => {
  it.each([
    ["git@github.com:Priivacy-ai/Spec_Kitty.git", "spec-kitty"],
    ["https://github.com/owner/My Repo.git", "my-repo"],
    ["https://github.com/owner/MyRepo.v2", "myrepo.v2"],
    ["/srv/git/thing.git", "thing"],
  ])("%s -> %s", (url, slug) => {
    expect(slugFromRemoteUrl(url)).toBe(slug);
  });
  it.each([
    ["git@github.com:owner/repo.git", "owner/repo"],
    ["https://github.com/owner/repo", "owner/repo"],
    ["ssh://git@host:22/group/sub/repo.git", "sub/repo"],
    ["/local/path", null],
  ])("repo slug of %s is %s", (url, slug) => {
    expect(repoSlugFromUrl(url)).toBe(slug);
  });
  it("uuid5 matches Python's uuid.uuid5", () => {
    // uuid.uuid5(uuid.NAMESPACE_URL, "spec-kitty-events/legacy")
    expect(uuid5("6ba7b811-9dad-11d1-80b4-00c04fd430c8", "https://example.com")).toBe("4fd35a71-71ef-5a55-a9d9-aa75c889a6d0");
  });
});

describe("identity in a repository", () => {
  it("init writes uuid, slug (directory name, normalised) and node id; reads never write", () => {
    const root = makeRepo("My_Project");
    const before = resolveIdentity(root, { LOGNAME: "ann" });
    expect(before).toMatchObject({ state: "missing", projectUuid: null, projectSlug: "my-project" });
    expect(existsSync(configPathOf(root))).toBe(false);
    const r = ensureIdentity(root, { LOGNAME: "ann" });
    expect(r.written).toBe(true);
    expect(r.identity.state).toBe("complete");
    expect(r.identity.projectUuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(r.identity.nodeId).toBe(nodeIdFor(hostname(), "ann"));
    expect(r.identity.buildId).toBe(deriveBuildId(r.identity.projectUuid!, r.identity.nodeId));
    const again = ensureIdentity(root, { LOGNAME: "bob" });
    expect(again.written).toBe(false);
    expect(again.identity.projectUuid).toBe(r.identity.projectUuid);
    expect(again.identity.nodeId).toBe(r.identity.nodeId);
  });

  it("takes the slug from the origin remote", () => {
    const root = makeRepo();
    git(root, "remote", "add", "origin", "git@github.com:acme/Widget_Factory.git");
    expect(ensureIdentity(root).identity.projectSlug).toBe("widget-factory");
  });

  it("resolves the main repository's identity from inside a linked worktree", () => {
    const root = makeRepo();
    const { identity } = ensureIdentity(root);
    const wt = join(root, "..", "wt-one");
    git(root, "worktree", "add", "-q", "-b", "feature", wt);
    const loc = locateGit(join(wt))!;
    expect(loc.mainRoot).toBe(root);
    expect(resolveIdentity(loc.mainRoot).projectUuid).toBe(identity.projectUuid);
    expect(existsSync(configPathOf(wt))).toBe(false);
  });

  it("keeps other keys and comments when it backfills", () => {
    const root = makeRepo();
    mkdirSync(join(root, ".kittify"));
    const text = [
      "# team settings, keep me",
      "agents:",
      "  available: [claude, codex] # inline",
      "project:",
      "  slug: hand-picked # chosen by a human",
      "sync:",
      "  auto_start: false",
      "",
    ].join("\n");
    writeFileSync(configPathOf(root), text);
    const r = ensureIdentity(root);
    expect(r.added).toEqual(["project.uuid", "project.node_id"]);
    const out = readFileSync(configPathOf(root), "utf8");
    expect(out).toContain("# team settings, keep me");
    expect(out).toContain("# inline");
    expect(out).toContain("slug: hand-picked # chosen by a human");
    expect(out).toContain("auto_start: false");
    expect(r.identity).toMatchObject({ projectSlug: "hand-picked", autoStart: false, state: "complete" });
  });

  it("names the file and key of a malformed uuid and never re-mints it", () => {
    const root = makeRepo();
    mkdirSync(join(root, ".kittify"));
    writeFileSync(configPathOf(root), "project:\n  uuid: not-a-uuid\n  slug: x\n  node_id: abc\n");
    const id = resolveIdentity(root);
    expect(id.state).toBe("malformed");
    expect(id.problems[0]!.key).toBe("project.uuid");
    expect(id.problems[0]!.message).toContain(configPathOf(root));
    expect(() => ensureIdentity(root)).toThrow(IdentityError);
    expect(readFileSync(configPathOf(root), "utf8")).toContain("uuid: not-a-uuid");
  });

  it("names the line of a YAML syntax error", () => {
    const root = makeRepo();
    mkdirSync(join(root, ".kittify"));
    writeFileSync(configPathOf(root), "a: 1\nproject: [unclosed\n");
    const id = resolveIdentity(root);
    expect(id.state).toBe("malformed");
    expect(id.problems[0]!.message).toMatch(/config\.yaml:\d+: not valid YAML/);
  });

  it("gives an in-memory identity with a warning when the config cannot be written", () => {
    if (process.getuid?.() === 0) {
      // root ignores file modes; a file where the .kittify directory belongs makes the config unwritable instead
      const root = makeRepo();
      writeFileSync(join(root, ".kittify"), "not a directory");
      const r = ensureIdentity(root);
      expect(r.written).toBe(false);
      expect(r.warning).toContain("not writable");
      expect(r.identity.projectUuid).not.toBeNull();
      expect(readFileSync(join(root, ".kittify"), "utf8")).toBe("not a directory");
      return;
    }
    const root = makeRepo();
    mkdirSync(join(root, ".kittify"));
    writeFileSync(configPathOf(root), "other: 1\n");
    chmodSync(configPathOf(root), 0o444);
    chmodSync(join(root, ".kittify"), 0o555);
    const r = ensureIdentity(root);
    expect(r.written).toBe(false);
    expect(r.warning).toContain("not writable");
    expect(r.identity.projectUuid).not.toBeNull();
    expect(readFileSync(configPathOf(root), "utf8")).toBe("other: 1\n");
  });
});

describe("config round-trips (property)", () => {
  it("backfilling keeps every other top-level key, its value and its comment", () => {
    const key = FastCheck.stringMatching(/^[a-z][a-z_]{0,8}$/).filter((k) => k !== "project" && k !== "sync");
    const value = FastCheck.oneof(FastCheck.integer(), FastCheck.stringMatching(/^[a-z][a-z0-9 ]{0,12}[a-z0-9]$/), FastCheck.boolean());
    const root = makeRepo();
    mkdirSync(join(root, ".kittify"), { recursive: true });
    FastCheck.assert(
      FastCheck.property(FastCheck.uniqueArray(FastCheck.tuple(key, value), { selector: (t) => t[0], maxLength: 6 }), (entries) => {
        const lines = entries.map(([k, v], i) => `${k}: ${typeof v === "string" ? JSON.stringify(v) : String(v)} # c${i}`);
        writeFileSync(configPathOf(root), `${lines.join("\n")}\n`);
        const r = ensureIdentity(root);
        const out = readFileSync(configPathOf(root), "utf8");
        const parsed = parseConfig("x", out).doc!.toJS() as Record<string, unknown>;
        for (const [i, [k, v]] of entries.entries()) {
          expect(parsed[k]).toEqual(v);
          expect(out).toContain(`# c${i}`);
        }
        expect((parsed["project"] as Record<string, unknown>)["uuid"]).toBe(r.identity.projectUuid);
        expect(resolveIdentity(root).state).toBe("complete");
      }),
      { numRuns: 40 },
    );
  });
});
