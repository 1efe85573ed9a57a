// Scan hosts with the real MDN HTTP Observatory and print {host: {grade, score, tests} | {error}}.
// Usage: node observatory_scan.mjs <observatory package dir> <host>...
// NODE_EXTRA_CA_CERTS must name the CA the fixtures' certificates come from.
import path from "node:path";
import { pathToFileURL } from "node:url";

const [packageDir, ...hosts] = process.argv.slice(2);
const { scan } = await import(
  pathToFileURL(path.join(packageDir, "src", "scanner", "index.js")).href
);
const out = {};
for (const host of hosts) {
  try {
    const result = await scan(host);
    out[host] = {
      grade: result.scan.grade,
      score: result.scan.score,
      statusCode: result.scan.statusCode,
      tests: Object.fromEntries(
        Object.entries(result.tests).map(([name, test]) => [name, test.result])
      ),
    };
  } catch (e) {
    out[host] = { error: e instanceof Error ? e.message : String(e) };
  }
}
process.stdout.write(JSON.stringify(out));
