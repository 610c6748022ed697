// The SARIF validator (Sarif.Multitool of the SARIF SDK, the npm package
// `@microsoft/sarif-multitool`) over the files named on the command line,
// with GitHub code scanning's own rules as well as the format's; exit 1 on
// any error it finds. The multitool itself exits 0 whatever it finds, so
// its own log of findings is read here.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const require = createRequire(import.meta.url);
let tool;
try {
  tool = require("@microsoft/sarif-multitool");
} catch {
  console.error("the SARIF validator is not installed: npm ci --prefix .ci/sarif");
  process.exit(2);
}

let errors = 0;
for (const path of process.argv.slice(2)) {
  const dir = mkdtempSync(join(tmpdir(), "sarif-validate-"));
  const out = join(dir, "validation.sarif");
  const run = spawnSync(tool, ["validate", path, "--output", out, "--rule-kind", "Sarif;Gh", "--quiet"], {
    encoding: "utf8",
    // A .NET program: without this it needs libicu on the machine.
    env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: "1" },
  });
  if (run.status !== 0) {
    console.error(`${path}: the validator failed (${run.status}): ${run.stdout}${run.stderr}`);
    process.exit(2);
  }
  const log = JSON.parse(readFileSync(out, "utf8"));
  rmSync(dir, { recursive: true });
  for (const run of log.runs) {
    for (const result of run.results ?? []) {
      const level = result.level ?? "warning";
      const where = result.locations?.[0]?.physicalLocation?.region;
      const at = where ? `${where.startLine}:${where.startColumn}` : "";
      console.log(`${path}:${at}: ${level} ${result.ruleId}: ${said(run, result)}`);
      errors += level === "error" ? 1 : 0;
    }
  }
  console.log(`sarif-multitool: ${path}: checked`);
}
process.exit(errors === 0 ? 0 : 1);

// A finding's message: its rule's message string with the arguments in.
function said(run, result) {
  const rule = run.tool?.driver?.rules?.[result.ruleIndex];
  const args = result.message?.arguments ?? [];
  const template = rule?.messageStrings?.[result.message?.id]?.text;
  if (!template) return `${result.message?.id ?? ""} ${args.join(" | ")}`;
  return template.replace(/\{(\d+)\}/g, (_, i) => args[Number(i)] ?? "");
}
